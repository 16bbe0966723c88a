import CallCenterDomain

/// The realtime monitor's data (リアルタイムモニタ): per call center its agents with
/// status and device (numbers masked), waiting calls and hold count; the tenant's channels.
public struct MonitorView: Codable, Sendable, Hashable {
    public struct Agent: Codable, Sendable, Hashable {
        public var accountId: String
        public var name: String
        public var status: AgentStatus
        public var device: String
        public var number: String?
        public var holdCount: Int
        public var callId: String?
        public var since: String
        /// T4: 発信通話 outboundCall / 外線通話 externalCall / 内線通話 extensionCall for the last seat-view call.
        public var seatViewCall: SeatViewCallLabel?
        /// F12: whether the agent's persistent leg is connected (absent for agents without one).
        public var legConnected: Bool?
        /// F13: offers declined with the decline key since the agent signed in.
        public var declined: Int
        /// F14: offers a machine answered on the agent's phone since the agent signed in.
        public var voicemail: Int
        /// F16: the call center is closed to personal phones and the agent's device is one: its calls do not reach
        /// this agent.
        public var cannotTakeCalls: Bool
    }
    public struct Center: Codable, Sendable, Hashable {
        public var callCenterId: String
        public var name: String
        public var agents: [Agent]
        public var waitingCalls: Int
        /// 保留数: never counts holds of calls on personal phones (T2).
        public var holdCount: Int
    }
    public var tenant: String
    public var callCenters: [Center]
    public var channelsInUse: Int
    public var channelLimit: Int

    public init(tenant: String, state: StatusState, format: (Timestamp) -> String) {
        self.tenant = tenant
        channelsInUse = state.channelsInUse
        channelLimit = state.channelLimit
        callCenters = state.callCenters.values.sorted { $0.id < $1.id }.map { cc in
            let agents = cc.memberAccountIDs.map { id -> Agent in
                let e = state.board.entry(id)
                let device = e?.device ?? .softphone
                return Agent(accountId: id, name: state.accountNames[id] ?? id, status: e?.status ?? .signedOut,
                             device: device.phoneType?.rawValue ?? "softphone", number: device.number?.masked,
                             holdCount: e?.holdCount ?? 0, callId: e?.callID, since: e.map { format($0.since) } ?? "",
                             seatViewCall: state.seatViewLabels[id], legConnected: e?.legConnected,
                             declined: e?.declinedOffers ?? 0, voicemail: e?.voicemailOffers ?? 0,
                             cannotTakeCalls: device.isExternal && !cc.personalPhonesAllowed)
            }
            return Center(callCenterId: cc.id, name: cc.name, agents: agents, waitingCalls: state.waiting[cc.id]?.count ?? 0,
                          holdCount: state.board.holdCount(of: cc.memberAccountIDs))
        }
    }
}
