extension KafkaConfiguration {
    /// The prefix of environment variables that pass librdkafka properties through.
    public static let environmentPrefix = "KAFKA_PROPERTY_"

    /// librdkafka properties from `KAFKA_PROPERTY_<NAME>` environment variables, named the way Confluent's
    /// images name them: lower-cased, `_` becomes `.`, `__` becomes `_`. So a secured cluster needs no code:
    /// `KAFKA_PROPERTY_SECURITY_PROTOCOL=SASL_SSL`, `KAFKA_PROPERTY_SASL_MECHANISMS=SCRAM-SHA-512`,
    /// `KAFKA_PROPERTY_SASL_USERNAME=...`, `KAFKA_PROPERTY_SASL_PASSWORD=...`. Unknown names are refused by
    /// librdkafka when a client is created (the error names the property; secrets are masked).
    public static func properties(fromEnvironment environment: [String: String]) -> [String: String] {
        var properties: [String: String] = [:]
        for (variable, value) in environment where variable.hasPrefix(environmentPrefix) {
            let name = variable.dropFirst(environmentPrefix.count)
            guard !name.isEmpty else { continue }
            let property = name.lowercased().split(separator: "__", omittingEmptySubsequences: false)
                .map { $0.split(separator: "_", omittingEmptySubsequences: false).joined(separator: ".") }
                .joined(separator: "_")
            properties[property] = value
        }
        return properties
    }

    /// Whether a property's value must not appear in logs or errors.
    public static func isSecret(_ property: String) -> Bool {
        ["password", "secret", "ssl.key.pem", "oauthbearer.config"].contains { property.contains($0) }
    }
}
