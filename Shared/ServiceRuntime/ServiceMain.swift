import Foundation
import Hummingbird
import KafkaClient
import Logging
import ServiceLifecycle

/// The entry point shared by the four executables: configuration from the
/// environment, logging, the HTTP endpoints and the service's own parts in one
/// `ServiceGroup` that shuts down gracefully on SIGTERM/SIGINT.
public enum ServiceMain {
    /// What a service adds to the group, given the shared parts.
    public struct Context: Sendable {
        public let configuration: ServiceConfiguration
        public let health: HealthState
        public let metrics: ServiceMetrics
        public let logger: Logger
        public let admin: KafkaAdmin
    }

    public static func run(
        serviceName: String, defaultHTTPPort: Int,
        routes: @escaping HTTPServer.Routes = { _ in },
        services makeServices: (Context) throws -> [any Service] = { _ in [] }
    ) async -> Never {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment(serviceName: serviceName,
                                                                     defaultHTTPPort: defaultHTTPPort)
        } catch {
            FileHandle.standardError.write(Data("\(serviceName): \(error)\n".utf8))
            exit(2)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = configuration.logLevel
            return handler
        }
        var logger = Logger(label: serviceName)
        logger[metadataKey: LoggingKeys.service] = "\(serviceName)"
        logger.info("starting", metadata: [
            LoggingKeys.librdkafka: "\(LibRdKafka.version)",
            LoggingKeys.brokers: "\(configuration.brokers)",
            LoggingKeys.httpPort: "\(configuration.httpPort)",
        ])
        do {
            let health = HealthState()
            let metrics = ServiceMetrics(serviceName: serviceName)
            let admin = try KafkaAdmin(configuration: configuration.kafka)
            let context = Context(configuration: configuration, health: health, metrics: metrics, logger: logger,
                                  admin: admin)
            let http = HTTPServer.makeApplication(configuration: configuration, health: health, metrics: metrics,
                                                  logger: logger, routes: routes)
            var own = try makeServices(context)
            if own.isEmpty {
                own = [BrokerWatchService(configuration: configuration, admin: admin, health: health, logger: logger)]
            }
            let group = ServiceGroup(configuration: .init(
                services: ([http] + own).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            try await group.run()
            logger.info("stopped")
            exit(0)
        } catch {
            logger.error("failed", metadata: [LoggingKeys.error: "\(error)"])
            exit(1)
        }
    }
}
