/// Every event type of the contract, as one value to switch on.
public enum ContractEvent: Sendable, Hashable {
    case tenantConfigured(ConfigEvents.TenantConfigured)
    case callCenterConfigured(ConfigEvents.CallCenterConfigured)
    case accountConfigured(ConfigEvents.AccountConfigured)
    case deviceChangeRequested(SettingsEvents.ChangeRequested)
    case deviceChanged(SettingsEvents.Changed)
    case deviceChangeRejected(SettingsEvents.ChangeRejected)
    case presenceChanged(TelephonyEvents.PresenceChanged)
    case callOffered(TelephonyEvents.CallOffered)
    case agentAnswered(TelephonyEvents.AgentAnswered)
    case agentVoicemailDetected(TelephonyEvents.AgentVoicemailDetected)
    case agentNoAnswer(TelephonyEvents.AgentNoAnswer)
    case agentLegConnected(TelephonyEvents.AgentLegConnected)
    case agentLegFailed(TelephonyEvents.AgentLegFailed)
    case agentLegDisconnected(TelephonyEvents.AgentLegDisconnected)
    case dtmf(TelephonyEvents.Dtmf)
    case holdChanged(TelephonyEvents.HoldChanged)
    case callEnded(TelephonyEvents.CallEnded)
    case monitorRequested(TelephonyEvents.MonitorRequested)
    case outboundRequested(TelephonyEvents.OutboundRequested)
    case seatViewDialed(TelephonyEvents.SeatViewDialed)
    case clockTick(TelephonyEvents.ClockTick)
    case offeredToAgent(RoutingEvents.OfferedToAgent)
    case callQueued(RoutingEvents.CallQueued)
    case callRejected(RoutingEvents.CallRejected)
    case offerCancelled(RoutingEvents.OfferCancelled)
    case agentNoAnswerRecorded(RoutingEvents.AgentNoAnswerRecorded)
    case monitorDecided(RoutingEvents.MonitorDecided)
    case outboundDecided(RoutingEvents.OutboundDecided)
    case seatViewCallLabelled(RoutingEvents.SeatViewCallLabelled)
    case hold(CallCommandEvents.Hold)
    case unhold(CallCommandEvents.Unhold)
    case park(CallCommandEvents.Park)
    case transfer(CallCommandEvents.Transfer)
    case dtmfRejected(CallCommandEvents.DtmfRejected)
    case agentLegOpen(CallCommandEvents.AgentLegOpen)
    case agentLegClose(CallCommandEvents.AgentLegClose)
    case statusChanged(StatusEvents.StatusChanged)
    case channelsChanged(StatusEvents.ChannelsChanged)
    case deadLetter(StatusEvents.DeadLetter)

    public var payload: any EventPayload {
        switch self {
        case .tenantConfigured(let p): p
        case .callCenterConfigured(let p): p
        case .accountConfigured(let p): p
        case .deviceChangeRequested(let p): p
        case .deviceChanged(let p): p
        case .deviceChangeRejected(let p): p
        case .presenceChanged(let p): p
        case .callOffered(let p): p
        case .agentAnswered(let p): p
        case .agentVoicemailDetected(let p): p
        case .agentLegConnected(let p): p
        case .agentLegFailed(let p): p
        case .agentLegDisconnected(let p): p
        case .agentLegOpen(let p): p
        case .agentLegClose(let p): p
        case .agentNoAnswer(let p): p
        case .dtmf(let p): p
        case .holdChanged(let p): p
        case .callEnded(let p): p
        case .monitorRequested(let p): p
        case .outboundRequested(let p): p
        case .seatViewDialed(let p): p
        case .clockTick(let p): p
        case .offeredToAgent(let p): p
        case .callQueued(let p): p
        case .callRejected(let p): p
        case .offerCancelled(let p): p
        case .agentNoAnswerRecorded(let p): p
        case .monitorDecided(let p): p
        case .outboundDecided(let p): p
        case .seatViewCallLabelled(let p): p
        case .hold(let p): p
        case .unhold(let p): p
        case .park(let p): p
        case .transfer(let p): p
        case .dtmfRejected(let p): p
        case .statusChanged(let p): p
        case .channelsChanged(let p): p
        case .deadLetter(let p): p
        }
    }

    public var type: String { Swift.type(of: payload).eventType }

    /// How each type's `data` is decoded into a case.
    static let decoders: [String: @Sendable (any PayloadDecoding) throws -> ContractEvent] = {
        var d: [String: @Sendable (any PayloadDecoding) throws -> ContractEvent] = [:]
        func add<P: EventPayload>(_ type: P.Type, _ wrap: @escaping @Sendable (P) -> ContractEvent) {
            d[P.eventType] = { decoder in wrap(try decoder.decode(P.self)) }
        }
        add(ConfigEvents.TenantConfigured.self, ContractEvent.tenantConfigured)
        add(ConfigEvents.CallCenterConfigured.self, ContractEvent.callCenterConfigured)
        add(ConfigEvents.AccountConfigured.self, ContractEvent.accountConfigured)
        add(SettingsEvents.ChangeRequested.self, ContractEvent.deviceChangeRequested)
        add(SettingsEvents.Changed.self, ContractEvent.deviceChanged)
        add(SettingsEvents.ChangeRejected.self, ContractEvent.deviceChangeRejected)
        add(TelephonyEvents.PresenceChanged.self, ContractEvent.presenceChanged)
        add(TelephonyEvents.CallOffered.self, ContractEvent.callOffered)
        add(TelephonyEvents.AgentAnswered.self, ContractEvent.agentAnswered)
        add(TelephonyEvents.AgentVoicemailDetected.self, ContractEvent.agentVoicemailDetected)
        add(TelephonyEvents.AgentNoAnswer.self, ContractEvent.agentNoAnswer)
        add(TelephonyEvents.AgentLegConnected.self, ContractEvent.agentLegConnected)
        add(TelephonyEvents.AgentLegFailed.self, ContractEvent.agentLegFailed)
        add(TelephonyEvents.AgentLegDisconnected.self, ContractEvent.agentLegDisconnected)
        add(TelephonyEvents.Dtmf.self, ContractEvent.dtmf)
        add(TelephonyEvents.HoldChanged.self, ContractEvent.holdChanged)
        add(TelephonyEvents.CallEnded.self, ContractEvent.callEnded)
        add(TelephonyEvents.MonitorRequested.self, ContractEvent.monitorRequested)
        add(TelephonyEvents.OutboundRequested.self, ContractEvent.outboundRequested)
        add(TelephonyEvents.SeatViewDialed.self, ContractEvent.seatViewDialed)
        add(TelephonyEvents.ClockTick.self, ContractEvent.clockTick)
        add(RoutingEvents.OfferedToAgent.self, ContractEvent.offeredToAgent)
        add(RoutingEvents.CallQueued.self, ContractEvent.callQueued)
        add(RoutingEvents.CallRejected.self, ContractEvent.callRejected)
        add(RoutingEvents.OfferCancelled.self, ContractEvent.offerCancelled)
        add(RoutingEvents.AgentNoAnswerRecorded.self, ContractEvent.agentNoAnswerRecorded)
        add(RoutingEvents.MonitorDecided.self, ContractEvent.monitorDecided)
        add(RoutingEvents.OutboundDecided.self, ContractEvent.outboundDecided)
        add(RoutingEvents.SeatViewCallLabelled.self, ContractEvent.seatViewCallLabelled)
        add(CallCommandEvents.Hold.self, ContractEvent.hold)
        add(CallCommandEvents.Unhold.self, ContractEvent.unhold)
        add(CallCommandEvents.Park.self, ContractEvent.park)
        add(CallCommandEvents.Transfer.self, ContractEvent.transfer)
        add(CallCommandEvents.DtmfRejected.self, ContractEvent.dtmfRejected)
        add(CallCommandEvents.AgentLegOpen.self, ContractEvent.agentLegOpen)
        add(CallCommandEvents.AgentLegClose.self, ContractEvent.agentLegClose)
        add(StatusEvents.StatusChanged.self, ContractEvent.statusChanged)
        add(StatusEvents.ChannelsChanged.self, ContractEvent.channelsChanged)
        add(StatusEvents.DeadLetter.self, ContractEvent.deadLetter)
        return d
    }()

    /// Every type name of the contract.
    public static var allTypes: [String] { decoders.keys.sorted() }
}

/// Decodes one payload type from wherever the `data` is (a structured envelope or a binary-mode value).
protocol PayloadDecoding {
    func decode<P: EventPayload>(_ type: P.Type) throws -> P
}
