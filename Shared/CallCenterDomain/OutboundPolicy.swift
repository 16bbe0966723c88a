/// Outbound calls and callback dialing (F2).
public enum OutboundPolicy {
    public enum Via: String, Codable, Sendable { case callbackDialing, direct }

    public enum Refusal: String, Error, Codable, Sendable {
        case unknownAccount
        /// A personal phone cannot call out with the platform's number; use callback dialing.
        case personalPhoneCannotPresentPlatformNumber
        case callbackDialingNotContracted
        case platformVersionTooOld
        case invalidNumber
        case forbiddenDestination
        case noCallCenter
    }

    public struct Decision: Hashable, Codable, Sendable {
        public var presentedCallerID: String
        /// Channels the call uses: each leg to the public network (F3).
        public var channels: Int
        public var to: PhoneNumber
    }

    /// - Parameter callCenter: the call center whose number is presented (the agent's first, by id).
    public static func decide(agentDevice: SignInDevice, via: Via, to raw: String, tenant: Tenant?,
                              callCenter: CallCenter?) -> Result<Decision, Refusal> {
        guard let tenant else { return .failure(.unknownAccount) }
        guard let to = try? PhoneNumber.parse(raw) else { return .failure(.invalidNumber) }
        if ForwardingPolicy.rejection(of: to, for: .outboundCall, allowInternational: tenant.allowInternationalForwarding) != nil {
            return .failure(.forbiddenDestination)
        }
        guard let callCenter else { return .failure(.noCallCenter) }
        switch via {
        case .direct:
            guard !agentDevice.isExternal else { return .failure(.personalPhoneCannotPresentPlatformNumber) }
            return .success(Decision(presentedCallerID: callCenter.externalNumber, channels: 1, to: to))
        case .callbackDialing:
            guard tenant.callbackDialingOption else { return .failure(.callbackDialingNotContracted) }
            guard tenant.platformVersion >= PlatformVersion.callbackDialingMinimum else {
                return .failure(.platformVersionTooOld)
            }
            // The platform rings the agent's phone, then the customer, presenting the call center's number.
            return .success(Decision(presentedCallerID: callCenter.externalNumber,
                                     channels: agentDevice.isExternal ? 2 : 1, to: to))
        }
    }
}
