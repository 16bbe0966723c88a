import Foundation
import KafkaClient
import Logging

/// A service's configuration, read from the environment variables of docs/event-contract.md.
public struct ServiceConfiguration: Sendable {
    /// The service's name, e.g. `routing-service`; also its consumer group and event `source`.
    public var serviceName: String
    /// `KAFKA_BROKERS` (default `127.0.0.1:9092`).
    public var brokers: String
    /// `CC_DATA_DIR` (default `./data/<service>`): where the SQLite files live.
    public var dataDirectory: String
    /// `CC_HTTP_PORT`: health, readiness, metrics and pages.
    public var httpPort: Int
    /// `CC_HTTP_HOST` (default `0.0.0.0`).
    public var httpHost: String
    /// `CC_TOPIC_PREFIX` (default empty): prefixes every topic name.
    public var topicPrefix: String
    /// `CC_PARTITIONS` (default 6): partitions of topics the service creates.
    public var partitions: Int
    /// `CC_REPLICATION_FACTOR` (default -1: the broker's default).
    public var replicationFactor: Int
    /// `CC_LOG_LEVEL` (default `info`).
    public var logLevel: Logger.Level
    /// `CC_CONNECT_TIMEOUT_MS` (default 10000): per attempt to reach a broker at start.
    public var connectTimeoutMilliseconds: Int
    /// `CC_SESSION_TIMEOUT_MS` (default 6000): how soon the group notices a dead instance and moves its partitions.
    public var sessionTimeoutMilliseconds: Int = 6_000
    /// `CC_MAX_BATCH` (default 500): messages per consume batch (one SQLite transaction each).
    public var maxBatch: Int = 500
    /// How long a partition's events wait for another input topic of the same partition that is known
    /// to hold older data not fetched yet (event-time order across topics, see `EventLoop`).
    public var maxTaskIdleMilliseconds: Int = 2_000
    /// `CC_CONFIRM_END_OFFSETS`: before an event goes out while another input looks caught up, ask the broker
    /// for that input's end (one round trip per batch): exact order across topics, at some latency. nil: the
    /// processor's choice (`EventProcessor.confirmsEndOffsets`).
    public var confirmEndOffsets: Bool?
    /// `CC_FETCH_WAIT_MS` (default 10): how long the broker may hold a fetch that has no data. Some brokers
    /// (Tansu) hold every fetch that long, so it adds to each hop's latency; lower costs idle fetches.
    public var fetchMaxWaitMilliseconds = 10
    /// `CC_LINGER_MS` (default 0): librdkafka's `linger.ms` for the service's outputs. At 0 a decision goes out at
    /// once, and outputs still travel in batches under load (librdkafka gathers what is queued while a request is
    /// in flight); 2 ms added 2–20 ms to p50 and p99 latency at 1,000 calls/s and no throughput (measured with
    /// alternating `make bench` runs).
    public var lingerMilliseconds = 0
    /// `CC_MERGE_BUFFER_EVENTS` (default 10000): events a service holds back at most while they wait for their turn
    /// across its inputs (above it, partitions stop waiting); an input holding a tenth of it is paused.
    public var mergeBufferEvents = 10_000
    /// `CC_CONSUMER_QUEUE_KB` (default 16384): fetched data librdkafka may hold ahead of the service.
    public var consumerQueueKilobytes = 16_384
    /// `CC_FETCH_MAX_KB` (default 1024): the largest fetch response (librdkafka's `fetch.max.bytes`).
    public var fetchMaxKilobytes = 1_024
    /// `CC_MAX_EVENT_AHEAD_SECONDS` (default 3600): an event whose time (or the time in its data) is further ahead of
    /// the service's clock is dead-lettered `eventTimeInFuture` (timers run on event time).
    public var maximumEventAheadSeconds = 3_600
    /// `CC_MALLOC_TRIM_MS` (default 5000, 0: never): how often freed memory is handed back to the system.
    public var mallocTrimMilliseconds = 5_000
    /// `KAFKA_PROPERTY_<NAME>`: librdkafka properties for every client of the service (security settings of
    /// a real cluster, for instance); see `KafkaConfiguration.properties(fromEnvironment:)`.
    public var kafkaProperties: [String: String] = [:]

    public init(serviceName: String, brokers: String = "127.0.0.1:9092", dataDirectory: String? = nil,
                httpPort: Int, httpHost: String = "0.0.0.0", topicPrefix: String = "", partitions: Int = 6,
                replicationFactor: Int = -1, logLevel: Logger.Level = .info, connectTimeoutMilliseconds: Int = 10_000) {
        self.serviceName = serviceName
        self.brokers = brokers
        self.dataDirectory = dataDirectory ?? "./data/\(serviceName)"
        self.httpPort = httpPort
        self.httpHost = httpHost
        self.topicPrefix = topicPrefix
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.logLevel = logLevel
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
    }

    /// Reads the environment; invalid values are reported by name instead of silently defaulted.
    public static func fromEnvironment(serviceName: String, defaultHTTPPort: Int,
                                       environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> ServiceConfiguration {
        func int(_ key: String, _ fallback: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let raw = environment[key], !raw.isEmpty else { return fallback }
            guard let v = Int(raw), range.contains(v) else {
                throw ConfigurationError(variable: key, value: raw, expected: "an integer in \(range)")
            }
            return v
        }
        var c = ServiceConfiguration(serviceName: serviceName, httpPort: defaultHTTPPort)
        if let b = environment["KAFKA_BROKERS"], !b.isEmpty { c.brokers = b }
        if let d = environment["CC_DATA_DIR"], !d.isEmpty { c.dataDirectory = d }
        if let h = environment["CC_HTTP_HOST"], !h.isEmpty { c.httpHost = h }
        c.topicPrefix = environment["CC_TOPIC_PREFIX"] ?? ""
        c.httpPort = try int("CC_HTTP_PORT", defaultHTTPPort, range: 0...65535)
        c.partitions = try int("CC_PARTITIONS", 6, range: 1...10_000)
        c.replicationFactor = try int("CC_REPLICATION_FACTOR", -1, range: -1...32)
        c.connectTimeoutMilliseconds = try int("CC_CONNECT_TIMEOUT_MS", 10_000, range: 100...600_000)
        c.sessionTimeoutMilliseconds = try int("CC_SESSION_TIMEOUT_MS", 6_000, range: 1_000...300_000)
        c.maxBatch = try int("CC_MAX_BATCH", 500, range: 1...100_000)
        c.maxTaskIdleMilliseconds = try int("CC_MAX_TASK_IDLE_MS", 2_000, range: 0...60_000)
        c.fetchMaxWaitMilliseconds = try int("CC_FETCH_WAIT_MS", 10, range: 0...10_000)
        c.lingerMilliseconds = try int("CC_LINGER_MS", 0, range: 0...10_000)
        c.consumerQueueKilobytes = try int("CC_CONSUMER_QUEUE_KB", 16_384, range: 1_024...2_097_151)
        c.fetchMaxKilobytes = try int("CC_FETCH_MAX_KB", 1_024, range: 1_024...2_097_151)
        c.mergeBufferEvents = try int("CC_MERGE_BUFFER_EVENTS", 10_000, range: 100...10_000_000)
        c.kafkaProperties = KafkaConfiguration.properties(fromEnvironment: environment)
        c.mallocTrimMilliseconds = try int("CC_MALLOC_TRIM_MS", 5_000, range: 0...3_600_000)
        c.maximumEventAheadSeconds = try int("CC_MAX_EVENT_AHEAD_SECONDS", 3_600, range: 1...3_153_600_000)
        if let raw = environment["CC_CONFIRM_END_OFFSETS"], !raw.isEmpty {
            guard let flag = ["true": true, "1": true, "false": false, "0": false][raw.lowercased()] else {
                throw ConfigurationError(variable: "CC_CONFIRM_END_OFFSETS", value: raw, expected: "true|false")
            }
            c.confirmEndOffsets = flag
        }
        if let raw = environment["CC_LOG_LEVEL"], !raw.isEmpty {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                throw ConfigurationError(variable: "CC_LOG_LEVEL", value: raw,
                                         expected: Logger.Level.allCases.map(\.rawValue).joined(separator: "|"))
            }
            c.logLevel = level
        }
        return c
    }

    /// The Kafka settings every client of this service shares.
    public var kafka: KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: brokers, clientID: serviceName,
                           connectTimeoutMilliseconds: connectTimeoutMilliseconds, overrides: kafkaProperties)
    }

    public var topics: TopicNames { TopicNames(prefix: topicPrefix) }

    /// The settings of the service's producer (its outputs, outbox and changelog).
    public var producer: ProducerConfiguration {
        ProducerConfiguration(common: kafka, lingerMilliseconds: lingerMilliseconds)
    }

    /// The consumer settings of this service's group (named after the service, with the topic prefix).
    public var consumer: ConsumerConfiguration {
        ConsumerConfiguration(common: kafka, groupID: topicPrefix + serviceName,
                              sessionTimeoutMilliseconds: sessionTimeoutMilliseconds,
                              heartbeatIntervalMilliseconds: max(300, sessionTimeoutMilliseconds / 6),
                              fetchMaxWaitMilliseconds: fetchMaxWaitMilliseconds,
                              queuedMaxKilobytes: consumerQueueKilobytes, fetchMaxKilobytes: fetchMaxKilobytes)
    }
}

/// An environment variable with a value the service cannot use.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var variable: String
    public var value: String
    public var expected: String
    public var description: String {
        value.isEmpty ? "\(variable) is not set: expected \(expected)" : "\(variable)=\(value) is invalid: expected \(expected)"
    }
}
