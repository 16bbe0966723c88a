/// A payload that carries when its event happened (`at`): services run their clocks and timers on it.
public protocol TimedPayload: EventPayload {
    var at: EventTime { get }
}

extension RoutingEvents.OfferedToAgent: TimedPayload {}
extension RoutingEvents.CallQueued: TimedPayload {}
extension RoutingEvents.CallRejected: TimedPayload {}
extension RoutingEvents.OfferCancelled: TimedPayload {}
extension RoutingEvents.AgentNoAnswerRecorded: TimedPayload {}
extension SettingsEvents.Changed: TimedPayload {}
extension StatusEvents.StatusChanged: TimedPayload {}
extension StatusEvents.ChannelsChanged: TimedPayload {}
extension TelephonyEvents.PresenceChanged: TimedPayload {}
extension TelephonyEvents.CallOffered: TimedPayload {}
extension TelephonyEvents.AgentAnswered: TimedPayload {}
extension TelephonyEvents.AgentVoicemailDetected: TimedPayload {}
extension TelephonyEvents.AgentNoAnswer: TimedPayload {}
extension TelephonyEvents.Dtmf: TimedPayload {}
extension TelephonyEvents.HoldChanged: TimedPayload {}
extension TelephonyEvents.CallEnded: TimedPayload {}
extension TelephonyEvents.MonitorRequested: TimedPayload {}
extension TelephonyEvents.OutboundRequested: TimedPayload {}
extension TelephonyEvents.SeatViewDialed: TimedPayload {}
extension TelephonyEvents.ClockTick: TimedPayload {}
extension TelephonyEvents.AgentLegConnected: TimedPayload {}
extension TelephonyEvents.AgentLegFailed: TimedPayload {}
extension TelephonyEvents.AgentLegDisconnected: TimedPayload {}
