/// A warning returned with an applied device change (F4, F5).
public struct DeviceWarning: Hashable, Codable, Sendable {
    public enum Code: String, Codable, Sendable {
        /// A call center of the agent has ACD timeouts below the recommended 30 s (F4).
        case acdTimeoutTooShort
        /// Keep the phone on; turn off its voicemail and forwarding (F5).
        case personalPhoneAdvice
        /// Call centers of the agent that are closed to personal phones: their calls will not reach this device (F16).
        case personalPhonesNotAllowed
        /// The persistent connection holds a channel and is charged while the agent is available, calls or not (F12).
        case persistentConnectionCost
    }

    public var code: Code
    public var message: String
    public var callCenterID: CallCenterID?
    public var noAnswerTimeoutSeconds: Int?
    public var wrapUpSeconds: Int?
    /// The call centers a `personalPhonesNotAllowed` warning names.
    public var callCenterIDs: [CallCenterID]?

    public init(code: Code, message: String, callCenterID: CallCenterID? = nil,
                noAnswerTimeoutSeconds: Int? = nil, wrapUpSeconds: Int? = nil, callCenterIDs: [CallCenterID]? = nil) {
        self.code = code
        self.message = message
        self.callCenterID = callCenterID
        self.noAnswerTimeoutSeconds = noAnswerTimeoutSeconds
        self.wrapUpSeconds = wrapUpSeconds
        self.callCenterIDs = callCenterIDs
    }
}

/// Features that do not work when calls ring on an external number.
public enum DisabledFeature: String, Codable, Sendable, CaseIterable {
    /// CRM incoming-call popup: needs the softphone to ring (F10).
    case crmPopup
    /// OpenCTI (F11).
    case openCti
}

/// The consequences of a sign-in device, told to the screen when it is set.
public enum DeviceChangeAdvice {
    /// Warnings for an agent switching to `device`, member of `callCenters` (F4, F5, F12, F16).
    public static func warnings(for device: SignInDevice, callCenters: [CallCenter],
                                persistentConnection: Bool = false) -> [DeviceWarning] {
        guard device.isExternal else { return [] }
        let minimum = CallCenter.recommendedMinimumSeconds
        var warnings = callCenters
            .filter { $0.noAnswerTimeoutSeconds < minimum || $0.wrapUpSeconds < minimum }
            .sorted { $0.id < $1.id }
            .map { cc in
                DeviceWarning(
                    code: .acdTimeoutTooShort,
                    message: "Call center \(cc.name) has no-answer timeout \(cc.noAnswerTimeoutSeconds) s and wrap-up "
                        + "\(cc.wrapUpSeconds) s; with personal phones 30–40 s are recommended, as forwarding adds ringing delay.",
                    callCenterID: cc.id, noAnswerTimeoutSeconds: cc.noAnswerTimeoutSeconds, wrapUpSeconds: cc.wrapUpSeconds)
            }
        let closed = callCenters.filter { !$0.personalPhonesAllowed }.sorted { $0.id < $1.id }
        if !closed.isEmpty {
            warnings.append(DeviceWarning(
                code: .personalPhonesNotAllowed,
                message: "Calls of " + closed.map(\.name).joined(separator: ", ") + " are never delivered to a personal "
                    + "phone (card payments or health data): use the softphone to take them.",
                callCenterIDs: closed.map(\.id)))
        }
        if persistentConnection {
            warnings.append(DeviceWarning(
                code: .persistentConnectionCost,
                message: "A persistent connection keeps a call to this phone up while the agent is available: it holds "
                    + "one concurrent-call channel and is charged as a forwarded call for all that time, calls or not."))
        }
        warnings.append(DeviceWarning(
            code: .personalPhoneAdvice,
            message: "Keep the phone switched on and reachable during work, and turn off its voicemail and call "
                + "forwarding: a voicemail or a switched-off phone answers calls as that phone is set up."))
        return warnings
    }

    /// Features off while this device is used (F10, F11).
    public static func disabledFeatures(for device: SignInDevice) -> [DisabledFeature] {
        device.isExternal ? [.crmPopup, .openCti] : []
    }
}
