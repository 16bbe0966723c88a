import CallCenterDomain
import EventContract
import ServiceRuntime

/// report-service's logic: records what happened to every call, outbound request and
/// channel, for the reports of P1–P4. Publishes nothing.
public struct ReportProcessor: EventProcessor {
    public typealias State = ReportState

    public init() {}

    public var inputs: [ContractTopic] { ServiceDeclaration.report.inputs }
    public var upstream: [UpstreamService] { ServiceDeclaration.report.upstream }

    public func initialState(tenant: TenantID) -> ReportState { ReportState() }

    public func handle(_ event: DecodedEvent, state: inout ReportState, context: HandlerContext)
        throws(HandlerRejection) -> [Emission] {
        switch event.event {
        case .tenantConfigured(let t):
            state.tenant = try t.tenant(checkedAgainst: context)
        case .callCenterConfigured(let c):
            state.callCenterNames[c.callCenterId] = c.name
        case .accountConfigured(let a):
            state.accountNames[a.accountId] = a.name
        case .callOffered(let c):
            if state.calls[c.callId] == nil {
                state.calls[c.callId] = .init(callID: c.callId, callCenterID: c.callCenterId, offeredAt: c.at.timestamp)
            } else if let known = state.calls[c.callId]?.offeredAt, c.at.timestamp < known {
                state.calls[c.callId]?.offeredAt = c.at.timestamp
            }
        case .offeredToAgent(let o):
            // Decisions and telephony events travel on different topics: tolerate a decision seen first.
            if state.calls[o.callId] == nil {
                state.calls[o.callId] = .init(callID: o.callId, callCenterID: o.callCenterId, offeredAt: o.at.timestamp)
            }
            state.calls[o.callId]?.lastOfferedAt = o.at.timestamp
            state.calls[o.callId]?.agent = o.accountId
            state.calls[o.callId]?.delivery = o.delivery
            state.calls[o.callId]?.phoneType = o.phoneType
            if state.calls[o.callId]?.ringingAt == nil { state.calls[o.callId]?.ringingAt = o.at.timestamp }
        case .offerCancelled(let c) where c.reason == .declined:
            let declined = state.calls[c.callId]?.declinedBy ?? []
            state.calls[c.callId]?.declinedBy = declined + [c.accountId]  // F13
        case .offerCancelled(let c):
            state.calls[c.callId]?.noAnswers.append(c.accountId)
            if c.reason == .voicemail {  // F14: a no-answer, counted apart too
                let voicemail = state.calls[c.callId]?.voicemailAt ?? []
                state.calls[c.callId]?.voicemailAt = voicemail + [c.accountId]
            }
        case .agentNoAnswer(let n):
            state.calls[n.callId]?.noAnswers.append(n.accountId)
        case .agentAnswered(let a):
            if state.calls[a.callId]?.answeredAt == nil, state.calls[a.callId]?.agent == a.accountId {
                state.calls[a.callId]?.answeredAt = a.at.timestamp
            }
        case .holdChanged(let h) where h.held:
            // P1: only holds the platform sees on softphone calls count.
            if let call = state.calls[h.callId], ReportRules.countsHold(device: call.delivery) {
                state.calls[h.callId]?.countedHolds += 1
            }
        case .callRejected(let r):
            state.calls[r.callId]?.rejected = true
            if r.reason == .concurrentCallLimitReached {
                state.refusals.append(r.at.timestamp)
                state.usage.recordRefusal()
            }
        case .callEnded(let e):
            if state.calls[e.callId]?.endedAt == nil { state.calls[e.callId]?.endedAt = e.at.timestamp }
        case .outboundDecided(let o):
            state.outbound.append(.init(requestID: o.requestId, accountID: o.accountId, device: o.device, via: o.via,
                                        allowed: o.allowed, at: context.eventTime))
        case .agentLegOpen(let o):
            // The contract's number is E.164; a number the rates do not know is charged as a mobile (as S1 types it).
            let type = (try? PhoneNumber.parse(o.dialNumber))?.category.derivedPhoneType ?? .mobile
            state.openLeg(o.legId, account: o.accountId, callCenter: o.callCenterId, phoneType: type, at: context.eventTime)
        case .agentLegConnected(let l):
            state.connectLeg(l.legId, account: l.accountId, at: l.at.timestamp)
        case .agentLegFailed(let l):
            state.endLeg(l.legId, account: l.accountId, at: l.at.timestamp)
        case .agentLegDisconnected(let l):
            state.endLeg(l.legId, account: l.accountId, at: l.at.timestamp)
        case .agentLegClose(let c):
            state.endLeg(c.legId, account: c.accountId, at: context.eventTime)
        case .channelsChanged(let c):
            state.recordUsage(ChannelUsageTimeline.Point(at: c.at.timestamp, inUse: c.inUse, limit: c.limit))
        default:
            break
        }
        ReportArchive.sweep(&state, now: context.eventTime)
        return []
    }
}
