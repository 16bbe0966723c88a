import CallCenterDomain
import EventContract
import ServiceRuntime

/// routing-service's logic: the ACD (A1–A5), forwarding to personal phones and the
/// channel ledger (F1–F5), in-call keys (F6–F9), monitor/whisper (M1, M2), outbound
/// and callback decisions (F2) and seat-view labels (T4), per tenant.
public struct RoutingProcessor: EventProcessor {
    public typealias State = RoutingState

    public init() {}

    public var inputs: [ContractTopic] { ServiceDeclaration.routing.inputs }

    /// Calls are waiting: no broker round trip per batch to confirm the other inputs' ends. Configuration and
    /// settings events come from other systems at their own pace (routing does not wait for settings-service
    /// either); the ends its fetches report order what was fetched together.
    public var confirmsEndOffsets: Bool { false }

    public func initialState(tenant: TenantID) -> RoutingState { RoutingState(tenantID: tenant) }

    public func handle(_ event: DecodedEvent, state: inout RoutingState, context: HandlerContext)
        throws(HandlerRejection) -> [Emission] {
        var at = context.eventTime
        let outputs: [RoutingOutput]
        switch event.event {
        case .tenantConfigured(let t):
            state.configure(try t.tenant(checkedAgainst: context))
            outputs = []
        case .callCenterConfigured(let c):
            outputs = state.configure(c.callCenter(tenantID: context.tenantID), at: at)
        case .accountConfigured(let a):
            state.configure(a.account(tenantID: context.tenantID))
            outputs = []
        case .deviceChanged(let c):
            guard let device = c.current.signInDevice else {
                throw HandlerRejection(code: "invalidDevice", message: "the changed device has no valid number")
            }
            at = c.at.timestamp
            outputs = state.changeDevice(device, for: c.accountId, revision: c.revision,
                                         persistentConnection: c.current.persistentConnection == true, at: at)
        case .presenceChanged(let p):
            at = p.at.timestamp
            outputs = state.presenceChanged(p.accountId, to: p.presence, at: at)
        case .callOffered(let c):
            at = c.at.timestamp
            outputs = state.callOffered(c.callId, callCenter: c.callCenterId, callerNumber: c.callerNumber, at: at)
        case .agentAnswered(let a):
            at = a.at.timestamp
            outputs = state.agentAnswered(a.callId, by: a.accountId, at: at)
        case .agentVoicemailDetected(let v):
            at = v.at.timestamp
            outputs = state.voicemailDetected(v.callId, by: v.accountId, at: at)
        case .agentNoAnswer(let n):
            at = n.at.timestamp
            let reason: NoAnswerReason = switch n.reason {
            case .timeout: .timeout
            case .rejected: .rejected
            case .unreachable: .unreachable
            }
            outputs = state.agentNoAnswer(n.callId, by: n.accountId, reason: reason, at: at)
        case .agentLegConnected(let l):
            at = l.at.timestamp
            outputs = state.agentLegConnected(l.legId, account: l.accountId, at: at)
        case .agentLegFailed(let l):
            at = l.at.timestamp
            outputs = state.agentLegEnded(l.legId, account: l.accountId, failure: l.reason, at: at)
        case .agentLegDisconnected(let l):
            at = l.at.timestamp
            outputs = state.agentLegEnded(l.legId, account: l.accountId, failure: nil, at: at)
        case .dtmf(let d):
            at = d.at.timestamp
            outputs = state.keyPressed(d.key, call: d.callId, by: d.accountId, at: at)
        case .callEnded(let e):
            at = e.at.timestamp
            outputs = state.callEnded(e.callId, at: at)
        case .clockTick(let t):
            at = t.at.timestamp
            outputs = state.tick(now: at)
        case .monitorRequested(let m):
            return [monitorDecision(m, state: state)]
        case .outboundRequested(let o):
            return [outboundDecision(o, state: state)]
        case .seatViewDialed(let s):
            let labels = SeatViewCallLabel.labels(calleeDevice: state.device(of: s.toAccountId))
            return [Emission(.routingDecisions, RoutingEvents.SeatViewCallLabelled(
                callId: s.callId, fromAccountId: s.fromAccountId, toAccountId: s.toAccountId,
                fromLabel: labels.from, toLabel: labels.to), subject: s.callId, time: s.at.timestamp)]
        default:
            outputs = []
        }
        return Self.emissions(outputs, at: at)
    }

    public func tick(state: inout RoutingState, now: Timestamp) -> [Emission] {
        Self.emissions(state.tick(now: now), at: now)
    }

    public func nextDeadline(state: RoutingState) -> Timestamp? { state.nextDeadline }

    public func channelUsage(state: RoutingState) -> (inUse: Int, limit: Int)? { (state.ledger.inUse, state.ledger.limit) }

    /// M1, M2: the supervisor's role and device come from the registry, never from the request.
    func monitorDecision(_ m: TelephonyEvents.MonitorRequested, state: RoutingState) -> Emission {
        let call = state.calls.values.first { c in
            if case .connected(let a) = c.phase { return a == m.targetAccountId }
            return false
        }
        let decision = MonitorPolicy.decide(
            supervisor: state.accounts[m.supervisorAccountId], supervisorDevice: state.device(of: m.supervisorAccountId),
            target: state.accounts[m.targetAccountId], targetOnCall: call != nil)
        let (allowed, reason): (Bool, String) = switch decision {
        case .success: (true, "allowed")
        case .failure(let why): (false, why.rawValue)
        }
        return Emission(.routingDecisions, RoutingEvents.MonitorDecided(
            requestId: m.requestId, allowed: allowed, reason: reason, supervisorAccountId: m.supervisorAccountId,
            targetAccountId: m.targetAccountId, mode: m.mode, callId: allowed ? call?.id : nil),
            subject: m.supervisorAccountId, time: m.at.timestamp)
    }

    /// F2: direct calls from a personal phone cannot present the platform's number; callback dialing can.
    func outboundDecision(_ o: TelephonyEvents.OutboundRequested, state: RoutingState) -> Emission {
        let device = state.device(of: o.accountId)
        let callCenter = state.callCenters.values.filter { $0.memberAccountIDs.contains(o.accountId) }.min { $0.id < $1.id }
        let known = state.accounts[o.accountId] != nil
        let decision = known ? OutboundPolicy.decide(agentDevice: device, via: o.via, to: o.to, tenant: state.tenant,
                                                     callCenter: callCenter)
            : .failure(.unknownAccount)
        let payload: RoutingEvents.OutboundDecided = switch decision {
        case .success(let d):
            RoutingEvents.OutboundDecided(requestId: o.requestId, allowed: true, reason: "allowed",
                                          presentedCallerId: d.presentedCallerID, channels: d.channels, accountId: o.accountId,
                                          to: d.to.e164, via: o.via, device: device.kind)
        case .failure(let why):
            RoutingEvents.OutboundDecided(requestId: o.requestId, allowed: false, reason: why.rawValue, presentedCallerId: nil,
                                          channels: 0, accountId: o.accountId, to: nil, via: o.via, device: device.kind)
        }
        return Emission(.routingDecisions, payload, subject: o.accountId, time: o.at.timestamp)
    }

    /// Maps the domain's decisions to contract events.
    static func emissions(_ outputs: [RoutingOutput], at: Timestamp) -> [Emission] {
        var result: [Emission] = []
        for (i, output) in outputs.enumerated() {
            switch output {
            case .offeredToAgent(let call, let cc, let plan, let attempt):
                result.append(Emission(.routingDecisions, RoutingEvents.OfferedToAgent(
                    callId: call, callCenterId: cc, plan: plan, attempt: attempt, at: at), subject: call, time: at))
            case .callQueued(let call, let cc, let position, let reason):
                result.append(Emission(.routingDecisions, RoutingEvents.CallQueued(
                    callId: call, callCenterId: cc, position: position, reason: reason, at: at), subject: call, time: at))
            case .callRejected(let call, let reason):
                result.append(Emission(.routingDecisions, RoutingEvents.CallRejected(callId: call, reason: reason, at: at),
                                       subject: call, time: at))
            case .offerCancelled(let call, let account, let reason):
                result.append(Emission(.routingDecisions, RoutingEvents.OfferCancelled(
                    callId: call, accountId: account, reason: reason, at: at), subject: call, time: at))
            case .agentNoAnswer(let call, let account, let reason, let consecutive):
                // A5: when the next output sets this agent away, say so in the same event.
                var setAway = false
                var callCenter: CallCenterID?
                if i + 1 < outputs.count, case .agentSetAway(let a, let cc, _, _) = outputs[i + 1], a == account {
                    setAway = true
                    callCenter = cc
                }
                result.append(Emission(.routingDecisions, RoutingEvents.AgentNoAnswerRecorded(
                    callId: call, accountId: account, reason: reason, consecutiveNoAnswers: consecutive, setAway: setAway,
                    callCenterId: callCenter, at: at), subject: call, time: at))
            case .agentSetAway:
                break  // carried by the preceding no-answer event
            case .channelsChanged(let change):
                result.append(Emission(.usage, StatusEvents.ChannelsChanged(change, at: at), subject: change.subject, time: at))
            case .agentLegOpen(let account, let leg, let number, let callCenter, let presented):
                result.append(Emission(.callCommands, CallCommandEvents.AgentLegOpen(
                    accountId: account, legId: leg, dialNumber: number.e164, presentedCallerId: presented,
                    callCenterId: callCenter), subject: leg, time: at))
            case .agentLegClose(let account, let leg, let reason):
                result.append(Emission(.callCommands, CallCommandEvents.AgentLegClose(accountId: account, legId: leg, reason: reason),
                                       subject: leg, time: at))
            case .callCommand(let call, let account, let action):
                let payload: any EventPayload = switch action {
                case .hold: CallCommandEvents.Hold(callId: call, accountId: account)
                case .unhold: CallCommandEvents.Unhold(callId: call, accountId: account)
                case .park: CallCommandEvents.Park(callId: call, accountId: account)
                case .transfer(let mode, let target):
                    CallCommandEvents.Transfer(callId: call, accountId: account, mode: mode, target: target)
                case .rejected(let keys, let reason):
                    CallCommandEvents.DtmfRejected(callId: call, accountId: account, keys: keys, reason: reason)
                }
                result.append(Emission(.callCommands, payload, subject: call, time: at))
            }
        }
        return result
    }
}
