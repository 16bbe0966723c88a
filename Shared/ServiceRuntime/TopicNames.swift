/// The topic names of CONTRACT.md, with the deployment's prefix applied.
public struct TopicNames: Sendable, Hashable {
    public var prefix: String

    public init(prefix: String = "") { self.prefix = prefix }

    public var config: String { prefix + "cc.config" }
    public var settingsCommands: String { prefix + "cc.settings.commands" }
    public var settingsEvents: String { prefix + "cc.settings.events" }
    public var telephonyEvents: String { prefix + "cc.telephony.events" }
    public var routingDecisions: String { prefix + "cc.routing.decisions" }
    public var callCommands: String { prefix + "cc.call.commands" }
    public var agentStatus: String { prefix + "cc.agent.status" }
    public var usage: String { prefix + "cc.usage" }
    public var deadLetter: String { prefix + "cc.deadletter" }
    public func changelog(service: String) -> String { prefix + "cc.\(service).changelog" }

    /// Every shared topic (changelogs are per service).
    public var all: [String] {
        [config, settingsCommands, settingsEvents, telephonyEvents, routingDecisions, callCommands,
         agentStatus, usage, deadLetter]
    }
}
