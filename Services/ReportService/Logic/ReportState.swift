import CallCenterDomain

/// One tenant's report data (P1–P4): a record per call and per outbound request,
/// and the channel usage timeline. Reports are computed from these for any range.
public struct ReportState: Codable, Sendable, Hashable {
    public struct CallRecord: Codable, Sendable, Hashable {
        public var callID: CallID
        public var callCenterID: CallCenterID
        public var offeredAt: Timestamp
        public var ringingAt: Timestamp?
        /// When the agent who has the call now was rung (ring time of the answering agent).
        public var lastOfferedAt: Timestamp?
        public var answeredAt: Timestamp?
        public var endedAt: Timestamp?
        public var agent: AccountID?
        public var delivery: DeviceKind = .softphone
        public var phoneType: PhoneType?
        /// Holds counted for reports (P1: none on personal phones).
        public var countedHolds = 0
        public var rejected = false
        /// Agents that were rung and did not answer.
        public var noAnswers: [AccountID] = []
    }

    public struct OutboundRecord: Codable, Sendable, Hashable {
        public var requestID: String
        public var accountID: AccountID
        public var device: DeviceKind
        public var via: OutboundPolicy.Via
        public var allowed: Bool
        public var at: Timestamp
    }

    public var tenant: Tenant?
    public var callCenterNames: [CallCenterID: String] = [:]
    public var accountNames: [AccountID: String] = [:]
    public var calls = ChangeTrackedDictionary<CallRecord>()
    public var outbound: [OutboundRecord] = []
    public var usage = ChannelUsageTimeline()
    public var refusals: [Timestamp] = []

    public init() {}
}
