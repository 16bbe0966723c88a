/// Everything the telephony layer needs to ring an agent for a call (A4).
public struct DeliveryPlan: Hashable, Codable, Sendable {
    public var accountID: AccountID
    public var delivery: DeliveryKind
    /// The agent leg the call is bridged onto (`persistentLeg` delivery, F12).
    public var legID: LegID?
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
    /// What is said to the agent before bridging (external deliveries of call centers that enable it, F15).
    public var announcement: DeliveryAnnouncement?

    /// Legs to the public network: the customer's, plus the forwarded one for external delivery (F3).
    public static func channels(for device: SignInDevice) -> Int { device.isExternal ? 2 : 1 }

    /// The plan for ringing `device`, or for bridging onto the agent's connected leg `leg` (F12: the leg already
    /// holds its channel, so the call takes 1 more). `announcement` goes only to personal phones (F15).
    public static func make(accountID: AccountID, device: SignInDevice, callCenter: CallCenter, callerNumber: String,
                            leg: LegID? = nil, announcement: DeliveryAnnouncement? = nil) -> DeliveryPlan {
        DeliveryPlan(
            accountID: accountID, delivery: leg == nil ? DeliveryKind(device.kind) : .persistentLeg, legID: leg,
            dialNumber: device.number, phoneType: device.phoneType,
            // F1: a personal phone is shown the call center's number, never the customer's.
            presentedCallerID: device.isExternal ? callCenter.externalNumber : callerNumber,
            channels: leg == nil ? channels(for: device) : 1, ringTimeoutSeconds: callCenter.noAnswerTimeoutSeconds,
            features: .for(device), announcement: device.isExternal ? announcement : nil)
    }
}
