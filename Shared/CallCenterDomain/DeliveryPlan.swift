/// Everything the telephony layer needs to ring an agent for a call (A4).
public struct DeliveryPlan: Hashable, Codable, Sendable {
    public var accountID: AccountID
    public var delivery: DeviceKind
    /// The personal phone to dial (external delivery only).
    public var dialNumber: PhoneNumber?
    public var phoneType: PhoneType?
    /// Caller id shown on the ringing device: the call center's number on personal phones (F1).
    public var presentedCallerID: String
    /// Concurrent-call channels the call uses while delivered: 2 on a personal phone (F3).
    public var channels: Int
    /// How long to ring: the call center's no-answer timeout (A2, F4).
    public var ringTimeoutSeconds: Int
    public var features: CallFeatures

    /// Legs to the public network: the customer's, plus the forwarded one for external delivery (F3).
    public static func channels(for device: SignInDevice) -> Int { device.isExternal ? 2 : 1 }

    public static func make(accountID: AccountID, device: SignInDevice, callCenter: CallCenter,
                            callerNumber: String) -> DeliveryPlan {
        DeliveryPlan(
            accountID: accountID, delivery: device.kind, dialNumber: device.number, phoneType: device.phoneType,
            // F1: a personal phone is shown the call center's number, never the customer's.
            presentedCallerID: device.isExternal ? callCenter.externalNumber : callerNumber,
            channels: channels(for: device), ringTimeoutSeconds: callCenter.noAnswerTimeoutSeconds,
            features: .for(device))
    }
}
