import CAllocator
import Foundation
import Hummingbird
import KafkaClient
import Logging
import ServiceLifecycle

/// The entry point shared by the four executables: configuration from the
/// environment, logging, the HTTP endpoints and the service's own parts in one
/// `ServiceGroup` that shuts down gracefully on SIGTERM/SIGINT.
public enum ServiceMain {
    /// Runs one of the deployment's services: its declaration's name and port, its processor on the event loop.
    public static func run<P: EventProcessor>(
        _ service: ServiceDeclaration, processor: P,
        routes: @escaping @Sendable (EventLoop<P>) -> HTTPServer.Routes = { _ in { _ in } }
    ) async -> Never {
        await run(serviceName: service.name, defaultHTTPPort: service.defaultHTTPPort, processor: processor, routes: routes)
    }

    /// Runs a service whose logic is an `EventProcessor` on the shared event loop.
    /// - Parameter routes: extra HTTP routes, given the loop (to show its state).
    public static func run<P: EventProcessor>(
        serviceName: String, defaultHTTPPort: Int, processor: P,
        routes: @escaping @Sendable (EventLoop<P>) -> HTTPServer.Routes = { _ in { _ in } }
    ) async -> Never {
        await start(serviceName: serviceName, defaultHTTPPort: defaultHTTPPort) { configuration, access, logger in
            let health = HealthState(requiring: [.broker, .consumer])
            let metrics = ServiceMetrics(serviceName: serviceName)
            let admin = try KafkaAdmin(configuration: configuration.kafka)
            let loop = EventLoop(processor: processor, configuration: configuration, health: health, metrics: metrics,
                                 logger: logger)
            let watch = BrokerWatchService(configuration: configuration, admin: admin, health: health, logger: logger,
                                           extraTopics: [loop.changelogSpecification])
            let http = HTTPServer.makeApplication(configuration: configuration, access: access, health: health, metrics: metrics,
                                                  logger: logger, routes: routes(loop))
            return [http, watch, loop]
        }
    }

    /// Runs a service with no event processing: it connects, creates topics and serves health.
    public static func run(serviceName: String, defaultHTTPPort: Int) async -> Never {
        await start(serviceName: serviceName, defaultHTTPPort: defaultHTTPPort) { configuration, access, logger in
            let health = HealthState(requiring: [.broker])
            let metrics = ServiceMetrics(serviceName: serviceName)
            let admin = try KafkaAdmin(configuration: configuration.kafka)
            let watch = BrokerWatchService(configuration: configuration, admin: admin, health: health, logger: logger)
            let http = HTTPServer.makeApplication(configuration: configuration, access: access, health: health, metrics: metrics,
                                                  logger: logger)
            return [http, watch]
        }
    }

    /// Configuration, logging and the service group with graceful shutdown on SIGTERM/SIGINT.
    /// Services shut down in reverse order: the loop first (finishing its batch), the HTTP server last.
    private static func start(
        serviceName: String, defaultHTTPPort: Int,
        services makeServices: (ServiceConfiguration, AccessVerifier?, Logger) throws -> [any Service]
    ) async -> Never {
        let configuration: ServiceConfiguration
        let accessConfiguration: AccessConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment(serviceName: serviceName,
                                                                     defaultHTTPPort: defaultHTTPPort)
            accessConfiguration = try AccessConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("\(serviceName): \(error)\n".utf8))
            exit(2)
        }
        tuneMemory()
        let logger = startLogging(serviceName, configuration)
        let access: AccessVerifier?
        if accessConfiguration.isDisabled {
            access = nil
            logger.warning("authentication is disabled (CC_AUTH_DISABLED=true): every route answers any caller, for any tenant")
        } else {
            do { access = try await AccessVerifier.load(accessConfiguration) } catch {
                logger.error("invalid access settings", metadata: [LoggingKeys.error: "\(error)"])
                exit(2)
            }
        }
        do {
            var services = try makeServices(configuration, access, logger)
            if configuration.mallocTrimMilliseconds > 0 {
                services.append(MemoryTrimService(interval: .milliseconds(configuration.mallocTrimMilliseconds)))
            }
            var groupConfiguration = ServiceGroupConfiguration(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
            // CONTRACT: exit within 10 s of SIGTERM, even with open streams (SSE) that never end by themselves.
            groupConfiguration.maximumGracefulShutdownDuration = .seconds(8)
            let group = ServiceGroup(configuration: groupConfiguration)
            try await group.run()
            logger.info("stopped")
            exit(0)
        } catch let error as KafkaError where error.code == .configuration {
            // A KAFKA_PROPERTY_* librdkafka refused: a setting, like the variables above.
            logger.error("invalid Kafka setting", metadata: [LoggingKeys.error: "\(error.reason)"])
            exit(2)
        } catch {
            logger.error("failed", metadata: [LoggingKeys.error: "\(error)"])
            exit(1)
        }
    }

    /// The process's allocator, set for a long-running service with parallel decoding.
    private static func tuneMemory() {
        #if os(Linux)
        // jemalloc (CAllocator) has its settings; these are for glibc's malloc, when the process runs without it.
        guard allocatorName == "system" else { return }
        // glibc gives each thread that allocates its own arena (up to 8 per core); the threads that decode and
        // encode in parallel then keep memory in several arenas. Two arenas hold the footprint down.
        _ = glibcMallopt(-8 /* M_ARENA_MAX */, 2)
        // Blocks over 128 KB (copies of large state collections, librdkafka's fetch responses) get their own
        // mapping and go back to the system when freed. By default glibc raises this threshold after each such
        // block is freed, and later ones stay resident in the heap (report-service: 116 MB of them at its peak).
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 131_072)
        #endif
    }

    /// Logging to stderr at the configured level, and the service's logger with its first line.
    private static func startLogging(_ serviceName: String, _ configuration: ServiceConfiguration) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = configuration.logLevel
            return handler
        }
        var logger = Logger(label: serviceName)
        logger[metadataKey: LoggingKeys.service] = "\(serviceName)"
        logger.info("starting", metadata: [
            LoggingKeys.librdkafka: "\(LibRdKafka.version)",
            "allocator": "\(allocatorName)",
            LoggingKeys.brokers: "\(configuration.brokers)",
            LoggingKeys.httpPort: "\(configuration.httpPort)",
            "kafka_properties": "\(configuration.kafkaProperties.keys.sorted())",  // names only: values may be secrets
        ])
        return logger
    }
}

/// The allocator malloc goes to ("jemalloc 5.3.0-..." or "system").
let allocatorName = String(cString: cc_allocator_name())

#if os(Linux)
/// glibc's `mallopt` (malloc.h, which Swift's Glibc module does not import).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
