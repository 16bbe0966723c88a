import KafkaClient
import Logging

/// Reaching the broker at start: retries until it answers (a broker may start
/// after the services in a deployment), then creates missing topics.
public enum BrokerConnection {
    /// Waits until a broker answers metadata; each failed attempt is logged with its reason.
    public static func waitUntilReachable(admin: KafkaAdmin, health: HealthState, logger: Logger) async throws {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let md = try await admin.metadata()
                logger.info("connected to Kafka", metadata: [
                    LoggingKeys.brokers: "\(md.brokers.map { "\($0.host):\($0.port)" })",
                    LoggingKeys.attempt: "\(attempt)",
                ])
                return
            } catch let error as KafkaError {
                health.markNotReady("broker unreachable: \(error.reason)")
                logger.warning("broker not reachable, retrying", metadata: [
                    LoggingKeys.error: "\(error.reason)", LoggingKeys.attempt: "\(attempt)",
                ])
                try await Task.sleep(for: .seconds(min(attempt, 5)))
            }
        }
    }

    /// Creates the contract's topics (and any extra ones) when missing; never deletes any.
    public static func ensureTopics(admin: KafkaAdmin, configuration: ServiceConfiguration,
                                    extra: [TopicSpecification] = [], logger: Logger) async throws {
        // Configuration and device changes are read from the beginning by every new consumer
        // to rebuild its view: they are kept forever.
        let keptForever: Set<String> = [configuration.topics.config, configuration.topics.settingsEvents]
        let specs = configuration.topics.all.map {
            TopicSpecification(name: $0, partitions: configuration.partitions,
                               replicationFactor: configuration.replicationFactor,
                               config: keptForever.contains($0) ? ["retention.ms": "-1"] : [:])
        } + extra
        let outcome = try await admin.createTopics(specs)
        let created = outcome.filter { $0.value == .created }.keys.sorted()
        if !created.isEmpty {
            logger.info("created topics", metadata: [LoggingKeys.topics: "\(created)"])
        }
    }
}
