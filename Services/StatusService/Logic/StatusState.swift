import CallCenterDomain

/// One tenant as status-service sees it: the agent status board (T1–T3) and what
/// the realtime monitor shows beside it (call centers, waiting calls, channels).
public struct StatusState: Codable, Sendable, Hashable {
    public var board: AgentStatusBoard
    public var callCenters: [CallCenterID: CallCenter] = [:]
    public var accountNames: [AccountID: String] = [:]
    /// Calls waiting in each call center's queue.
    public var waiting: [CallCenterID: Set<CallID>] = [:]
    /// The label of each agent's last seat-view call (T4: not an extension call when the callee is on an external number).
    public var seatViewLabels: [AccountID: SeatViewCallLabel] = [:]
    public var channelsInUse = 0
    public var channelLimit = 0

    public init(tenantID: TenantID) { board = AgentStatusBoard(tenantID: tenantID) }

    mutating func stopWaiting(_ call: CallID) {
        for id in waiting.keys { waiting[id]?.remove(call) }
    }
}
