/// What the telephony layer says to an agent on a personal phone before bridging a call (F15).
public struct DeliveryAnnouncement: Hashable, Codable, Sendable {
    public var callCenterName: String
    public var waitedSeconds: Int
    /// Only when the call center sets `includeCallerNumber`.
    public var callerNumberLast4: String?

    public init(callCenterName: String, waitedSeconds: Int, callerNumberLast4: String? = nil) {
        self.callCenterName = callCenterName
        self.waitedSeconds = waitedSeconds
        self.callerNumberLast4 = callerNumberLast4
    }

    /// The announcement for a call that arrived at `arrivedAt` and is delivered `now`, or nil when the call center
    /// does not announce.
    public static func make(callCenter: CallCenter, callerNumber: String, arrivedAt: Timestamp,
                            now: Timestamp) -> DeliveryAnnouncement? {
        guard let settings = callCenter.agentAnnouncement, settings.enabled else { return nil }
        let waited = max(0, now.milliseconds(since: arrivedAt) / 1_000)
        let digits = callerNumber.unicodeScalars.filter { ("0"..."9").contains($0) }
        let last4 = settings.includeCallerNumber && digits.count >= 4
            ? String(String.UnicodeScalarView(digits.suffix(4))) : nil
        return DeliveryAnnouncement(callCenterName: callCenter.name, waitedSeconds: Int(clamping: waited),
                                    callerNumberLast4: last4)
    }
}
