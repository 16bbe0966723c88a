import CallCenterDomain
import EventContract
import ServiceRuntime

/// status-service's logic: agent status for the realtime monitor, agent control and
/// seat view (T1–T3), published on `cc.agent.status` whenever it changes.
public struct StatusProcessor: EventProcessor {
    public typealias State = StatusState

    public init() {}

    public var inputs: [ContractTopic] { ServiceDeclaration.status.inputs }
    public var upstream: [UpstreamService] { ServiceDeclaration.status.upstream }

    public func initialState(tenant: TenantID) -> StatusState { StatusState(tenantID: tenant) }

    public func handle(_ event: DecodedEvent, state: inout StatusState, context: HandlerContext)
        throws(HandlerRejection) -> [Emission] {
        var at = context.eventTime
        var changed: [AgentStatusBoard.Entry?] = []
        switch event.event {
        case .tenantConfigured(let t):
            state.channelLimit = try t.tenant(checkedAgainst: context).concurrentCallLimit
        case .callCenterConfigured(let c):
            let cc = c.callCenter(tenantID: context.tenantID)
            state.callCenters[cc.id] = cc
            state.board.configure(cc)
        case .accountConfigured(let a):
            state.accountNames[a.accountId] = a.name
        case .deviceChanged(let c):
            if let device = c.current.signInDevice { changed.append(state.board.setDevice(device, for: c.accountId, revision: c.revision, at: at)) }
        case .presenceChanged(let p):
            at = p.at.timestamp
            changed.append(state.board.presenceChanged(p.accountId, to: p.presence, at: at))
        case .callQueued(let q):
            state.waiting[q.callCenterId, default: []].insert(q.callId)
        case .callRejected(let r):
            state.stopWaiting(r.callId)
        case .offeredToAgent(let o):
            at = o.at.timestamp
            state.stopWaiting(o.callId)
            changed.append(state.board.offered(o.callId, callCenter: o.callCenterId, to: o.accountId,
                                               features: o.features.callFeatures, at: at))
        case .agentAnswered(let a):
            at = a.at.timestamp
            changed.append(state.board.answered(a.callId, by: a.accountId, at: at))
        case .offerCancelled(let c):
            at = c.at.timestamp
            state.board.countMissedOffer(c.accountId, reason: c.reason)
            changed.append(state.board.noAnswer(c.callId, by: c.accountId, at: at))
        case .agentLegOpen(let o):
            changed.append(state.board.agentLegOpened(o.legId, for: o.accountId, at: at))
        case .agentLegConnected(let l):
            at = l.at.timestamp
            changed.append(state.board.agentLegConnected(l.legId, for: l.accountId, at: at))
        case .agentLegFailed(let l):
            at = l.at.timestamp
            changed.append(state.board.agentLegEnded(l.legId, for: l.accountId, at: at))
        case .agentLegDisconnected(let l):
            at = l.at.timestamp
            changed.append(state.board.agentLegEnded(l.legId, for: l.accountId, at: at))
        case .agentLegClose(let c):
            changed.append(state.board.agentLegEnded(c.legId, for: c.accountId, at: at))
        case .agentNoAnswer(let n):
            at = n.at.timestamp
            changed.append(state.board.noAnswer(n.callId, by: n.accountId, at: at))
        case .agentNoAnswerRecorded(let n) where n.setAway:
            at = n.at.timestamp
            changed.append(state.board.setAway(n.accountId, reason: "maxNoAnswer", at: at))
        case .holdChanged(let h):
            at = h.at.timestamp
            changed.append(state.board.holdChanged(h.callId, account: h.accountId, held: h.held, at: at))
        case .hold(let h):
            changed.append(state.board.holdChanged(h.callId, account: h.accountId, held: true, at: at))
        case .unhold(let h):
            changed.append(state.board.holdChanged(h.callId, account: h.accountId, held: false, at: at))
        case .park(let p):
            // F7: a parked call leaves the personal phone for good.
            changed += state.board.callEnded(p.callId, at: at).map { Optional($0) }
        case .transfer(let t) where t.mode == .blind:
            changed += state.board.callEnded(t.callId, at: at).map { Optional($0) }
        case .callEnded(let e):
            at = e.at.timestamp
            state.stopWaiting(e.callId)
            changed += state.board.callEnded(e.callId, at: at).map { Optional($0) }
        case .seatViewCallLabelled(let l):
            state.seatViewLabels[l.fromAccountId] = l.fromLabel
            state.seatViewLabels[l.toAccountId] = l.toLabel
        case .channelsChanged(let c):
            state.channelsInUse = c.inUse
            state.channelLimit = c.limit
        case .clockTick(let t):
            at = t.at.timestamp
            changed += state.board.tick(now: at).map { Optional($0) }
        default:
            break
        }
        return changed.compactMap { $0 }.map { Self.emission($0, at: at) }
    }

    public func tick(state: inout StatusState, now: Timestamp) -> [Emission] {
        state.board.tick(now: now).map { Self.emission($0, at: now) }
    }

    public func nextDeadline(state: StatusState) -> Timestamp? {
        state.board.entries.values.compactMap(\.wrapUpUntil).min()
    }

    static func emission(_ e: AgentStatusBoard.Entry, at: Timestamp) -> Emission {
        Emission(.agentStatus, StatusEvents.StatusChanged(
            accountId: e.accountID, status: e.status, device: e.device.kind, phoneType: e.device.phoneType, callId: e.callID,
            holdCount: e.holdCount, reason: e.reason == "answered" ? nil : e.reason, at: EventTime(at),
            legConnected: e.legConnected),
            subject: e.accountID, time: at)
    }
}
