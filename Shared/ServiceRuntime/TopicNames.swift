/// The topic names of docs/event-contract.md, with the deployment's prefix applied.
public struct TopicNames: Sendable, Hashable {
    public let prefix: String
    // Stored, not computed: every output of every batch names its topic, and a prefixed name built on each use
    // was a new heap string per output.
    public let config: String
    public let settingsCommands: String
    public let settingsEvents: String
    public let telephonyEvents: String
    public let routingDecisions: String
    public let callCommands: String
    public let agentStatus: String
    public let usage: String
    public let deadLetter: String

    public init(prefix: String = "") {
        self.prefix = prefix
        config = prefix + "cc.config"
        settingsCommands = prefix + "cc.settings.commands"
        settingsEvents = prefix + "cc.settings.events"
        telephonyEvents = prefix + "cc.telephony.events"
        routingDecisions = prefix + "cc.routing.decisions"
        callCommands = prefix + "cc.call.commands"
        agentStatus = prefix + "cc.agent.status"
        usage = prefix + "cc.usage"
        deadLetter = prefix + "cc.deadletter"
    }

    public func changelog(service: String) -> String { prefix + "cc.\(service).changelog" }

    /// Every shared topic (changelogs are per service).
    public var all: [String] {
        [config, settingsCommands, settingsEvents, telephonyEvents, routingDecisions, callCommands,
         agentStatus, usage, deadLetter]
    }
}
