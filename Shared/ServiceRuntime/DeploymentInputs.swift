/// The input topics of each service of a deployment, for tools that must know who reads what without linking
/// the services (`ccctl replay-deadletters` replays only what one of them dead-lettered from one of these).
public enum DeploymentInputs {
    public static let byService: [String: Set<ContractTopic>] =
        Dictionary(uniqueKeysWithValues: ServiceDeclaration.all.map { ($0.name, Set($0.inputs)) })

    /// Whether `service` reads the topic named `topic` in a deployment whose topic names start with `prefix`.
    public static func service(_ service: String, reads topic: String, prefix: String) -> Bool {
        guard let inputs = byService[service] else { return false }
        let names = TopicNames(prefix: prefix)
        return inputs.contains { $0.name(in: names) == topic }
    }
}
