/// The input topics of each service of a deployment, for tools that must know who reads what without linking
/// the services (`ccctl replay-deadletters` replays only what one of them dead-lettered from one of these).
/// A test holds it equal to each processor's own `inputs`.
public enum DeploymentInputs {
    public static let byService: [String: Set<ContractTopic>] = [
        "settings-service": [.config, .settingsCommands],
        "routing-service": [.config, .settingsEvents, .telephonyEvents],
        "status-service": [.config, .settingsEvents, .telephonyEvents, .routingDecisions, .callCommands, .usage],
        "report-service": [.config, .telephonyEvents, .routingDecisions, .callCommands, .usage],
    ]

    /// Whether `service` reads the topic named `topic` in a deployment whose topic names start with `prefix`.
    public static func service(_ service: String, reads topic: String, prefix: String) -> Bool {
        guard let inputs = byService[service] else { return false }
        let names = TopicNames(prefix: prefix)
        return inputs.contains { $0.name(in: names) == topic }
    }
}
