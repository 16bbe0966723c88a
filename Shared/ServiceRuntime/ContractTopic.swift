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
}
