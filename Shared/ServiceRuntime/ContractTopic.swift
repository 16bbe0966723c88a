import EventContract

/// The contract's topics, by role; `TopicNames` turns them into names with the deployment's prefix.
public enum ContractTopic: String, Sendable, CaseIterable {
    case config, settingsCommands, settingsEvents, telephonyEvents, routingDecisions, callCommands, agentStatus, usage,
         deadLetter

    public func name(in topics: TopicNames) -> String {
        switch self {
        case .config: topics.config
        case .settingsCommands: topics.settingsCommands
        case .settingsEvents: topics.settingsEvents
        case .telephonyEvents: topics.telephonyEvents
        case .routingDecisions: topics.routingDecisions
        case .callCommands: topics.callCommands
        case .agentStatus: topics.agentStatus
        case .usage: topics.usage
        case .deadLetter: topics.deadLetter
        }
    }

    /// The only types a consumer applies from this topic. Topics are trust boundaries (each writer holds ACLs for
    /// its own topics only): an account configuration written to `cc.settings.commands`, for one, would let any
    /// admin-app writer make itself an administrator. Anything else is dead-lettered `typeNotAllowedOnTopic`.
    public var acceptedTypes: Set<String> {
        let payloads: [any EventPayload.Type]
        switch self {
        case .config:
            payloads = [ConfigEvents.TenantConfigured.self, ConfigEvents.CallCenterConfigured.self,
                        ConfigEvents.AccountConfigured.self]
        case .settingsCommands: payloads = [SettingsEvents.ChangeRequested.self]
        case .settingsEvents: payloads = [SettingsEvents.Changed.self, SettingsEvents.ChangeRejected.self]
        case .telephonyEvents:
            payloads = [TelephonyEvents.PresenceChanged.self, TelephonyEvents.CallOffered.self,
                        TelephonyEvents.AgentAnswered.self, TelephonyEvents.AgentVoicemailDetected.self, TelephonyEvents.AgentNoAnswer.self, TelephonyEvents.Dtmf.self,
                        TelephonyEvents.HoldChanged.self, TelephonyEvents.CallEnded.self,
                        TelephonyEvents.MonitorRequested.self, TelephonyEvents.OutboundRequested.self,
                        TelephonyEvents.SeatViewDialed.self, TelephonyEvents.ClockTick.self,
                        TelephonyEvents.AgentLegConnected.self, TelephonyEvents.AgentLegFailed.self,
                        TelephonyEvents.AgentLegDisconnected.self]
        case .routingDecisions:
            payloads = [RoutingEvents.OfferedToAgent.self, RoutingEvents.CallQueued.self, RoutingEvents.CallRejected.self,
                        RoutingEvents.OfferCancelled.self, RoutingEvents.AgentNoAnswerRecorded.self,
                        RoutingEvents.MonitorDecided.self, RoutingEvents.OutboundDecided.self,
                        RoutingEvents.SeatViewCallLabelled.self]
        case .callCommands:
            payloads = [CallCommandEvents.Hold.self, CallCommandEvents.Unhold.self, CallCommandEvents.Park.self,
                        CallCommandEvents.Transfer.self, CallCommandEvents.DtmfRejected.self,
                        CallCommandEvents.AgentLegOpen.self, CallCommandEvents.AgentLegClose.self]
        case .agentStatus: payloads = [StatusEvents.StatusChanged.self]
        case .usage: payloads = [StatusEvents.ChannelsChanged.self]
        case .deadLetter: payloads = [StatusEvents.DeadLetter.self]
        }
        return Set(payloads.map { $0.eventType })
    }
}
