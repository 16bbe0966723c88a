import KafkaClient
import Logging
import ServiceLifecycle

/// Connects to the broker, creates missing topics, then keeps checking that the
/// broker answers: the service is ready only while it does.
public struct BrokerWatchService: Service {
    let configuration: ServiceConfiguration
    let admin: KafkaAdmin
    let health: HealthState
    let logger: Logger
    let checkInterval: Duration
    let extraTopics: [TopicSpecification]

    public init(configuration: ServiceConfiguration, admin: KafkaAdmin, health: HealthState, logger: Logger,
                extraTopics: [TopicSpecification] = [], checkInterval: Duration = .seconds(2)) {
        self.configuration = configuration
        self.extraTopics = extraTopics
        self.admin = admin
        self.health = health
        self.logger = logger
        self.checkInterval = checkInterval
    }

    public func run() async throws {
        do {
            try await watch()
        } catch is CancellationError where Task.isShuttingDownGracefully {
            // A graceful shutdown interrupted a wait: a normal end.
        }
    }

    private func watch() async throws {
        try await cancelWhenGracefulShutdown {
            try await BrokerConnection.waitUntilReachable(admin: admin, health: health, logger: logger)
            try await BrokerConnection.ensureTopics(admin: admin, configuration: configuration, extra: extraTopics, logger: logger)
            health.markReady(.broker)
            logger.info("broker reachable, topics in place")
            while !Task.isCancelled {
                try await Task.sleep(for: checkInterval)
                do {
                    _ = try await admin.metadata(timeout: .seconds(2))
                    if !health.isReady(.broker) {
                        logger.info("broker reachable again")
                        health.markReady(.broker)
                    }
                } catch let error as KafkaError {
                    if health.isReady(.broker) { logger.warning("broker unreachable", metadata: [LoggingKeys.error: "\(error.reason)"]) }
                    health.markNotReady("broker unreachable: \(error.reason)")
                }
            }
        }
    }
}
