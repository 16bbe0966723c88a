/// Settings shared by producers, consumers and admin clients.
///
/// Typed fields cover what the project sets; `overrides` passes any other
/// librdkafka property through unchanged (and wins over the typed fields).
public struct KafkaConfiguration: Sendable {
    /// Comma-separated `host:port` list (`bootstrap.servers`).
    public var bootstrapServers: String
    /// Shown in broker logs (`client.id`).
    public var clientID: String
    /// How long a metadata request at start may take before the broker counts as unreachable.
    public var connectTimeoutMilliseconds: Int
    /// librdkafka's own log level (syslog levels, 0-7; default 3 = errors only).
    public var logLevel: Int
    public var overrides: [String: String]

    public init(
        bootstrapServers: String = "127.0.0.1:9092",
        clientID: String = "callcenter",
        connectTimeoutMilliseconds: Int = 10_000,
        logLevel: Int = 3,
        overrides: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.logLevel = logLevel
        self.overrides = overrides
    }

    var properties: [String: String] {
        [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientID,
            "log_level": String(logLevel),
            // Brokers may be far behind or ahead of us; let librdkafka negotiate.
            "api.version.request": "true",
        ]
    }
}

/// Producer settings. Defaults are idempotent with bounded delivery time.
public struct ProducerConfiguration: Sendable {
    public var common: KafkaConfiguration
    /// `enable.idempotence`: no duplicates or reordering from retries.
    public var idempotent: Bool
    /// `linger.ms`: how long to wait to fill a batch.
    public var lingerMilliseconds: Int
    /// `message.timeout.ms`: a message not delivered within this fails with `.delivery`/`.timedOut`.
    public var messageTimeoutMilliseconds: Int
    /// `queue.buffering.max.messages`.
    public var maxQueuedMessages: Int

    public init(
        common: KafkaConfiguration = KafkaConfiguration(),
        idempotent: Bool = true,
        lingerMilliseconds: Int = 2,
        messageTimeoutMilliseconds: Int = 30_000,
        maxQueuedMessages: Int = 500_000
    ) {
        self.common = common
        self.idempotent = idempotent
        self.lingerMilliseconds = lingerMilliseconds
        self.messageTimeoutMilliseconds = messageTimeoutMilliseconds
        self.maxQueuedMessages = maxQueuedMessages
    }

    var properties: [String: String] {
        var p = common.properties
        p["enable.idempotence"] = idempotent ? "true" : "false"
        p["linger.ms"] = String(lingerMilliseconds)
        p["message.timeout.ms"] = String(messageTimeoutMilliseconds)
        p["queue.buffering.max.messages"] = String(maxQueuedMessages)
        // Keys are tenant ids: the same key must always land on the same partition
        // whatever client wrote it (murmur2 is what the Java client uses).
        p["partitioner"] = "murmur2_random"
        return p.merging(common.overrides) { _, new in new }
    }
}

/// Consumer settings. Offsets are never stored or committed automatically:
/// the application decides (see `KafkaConsumer.store(_:)` and `commit`).
public struct ConsumerConfiguration: Sendable {
    public enum OffsetReset: String, Sendable { case earliest, latest }

    public var common: KafkaConfiguration
    /// `group.id`.
    public var groupID: String
    /// `auto.offset.reset` for partitions with neither an application nor a committed offset.
    public var offsetReset: OffsetReset
    /// `session.timeout.ms`.
    public var sessionTimeoutMilliseconds: Int
    /// `max.poll.interval.ms`. Tansu completes joins promptly only with small values (10 s).
    public var maxPollIntervalMilliseconds: Int
    /// `heartbeat.interval.ms`.
    public var heartbeatIntervalMilliseconds: Int
    /// `fetch.wait.max.ms`: how long the broker may hold a fetch with no data. Short, because some
    /// brokers (Tansu) answer only when it expires even if data arrives earlier, which adds it to latency.
    public var fetchMaxWaitMilliseconds: Int
    /// `queued.max.messages.kbytes`: how much fetched data librdkafka may hold ahead of the application. Its
    /// default (64 MB, plus per-message overhead) dominates a catching-up service's memory; batches of a few
    /// thousand events need far less.
    public var queuedMaxKilobytes: Int
    /// `fetch.max.bytes` in KB: the largest fetch response. librdkafka keeps a response's buffer until the last
    /// message from it is destroyed, so its default (50 MB) made large blocks of a catching-up service's memory.
    public var fetchMaxKilobytes: Int

    public init(
        common: KafkaConfiguration = KafkaConfiguration(),
        groupID: String,
        offsetReset: OffsetReset = .earliest,
        sessionTimeoutMilliseconds: Int = 6_000,
        maxPollIntervalMilliseconds: Int = 10_000,
        heartbeatIntervalMilliseconds: Int = 1_000,
        fetchMaxWaitMilliseconds: Int = 10,
        queuedMaxKilobytes: Int = 16_384,
        fetchMaxKilobytes: Int = 4_096
    ) {
        self.queuedMaxKilobytes = queuedMaxKilobytes
        self.fetchMaxKilobytes = fetchMaxKilobytes
        self.fetchMaxWaitMilliseconds = fetchMaxWaitMilliseconds
        self.common = common
        self.groupID = groupID
        self.offsetReset = offsetReset
        self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        self.maxPollIntervalMilliseconds = maxPollIntervalMilliseconds
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
    }

    var properties: [String: String] {
        var p = common.properties
        p["group.id"] = groupID
        p["enable.auto.commit"] = "false"
        p["enable.auto.offset.store"] = "false"
        p["auto.offset.reset"] = offsetReset.rawValue
        p["session.timeout.ms"] = String(sessionTimeoutMilliseconds)
        p["max.poll.interval.ms"] = String(maxPollIntervalMilliseconds)
        p["heartbeat.interval.ms"] = String(heartbeatIntervalMilliseconds)
        p["enable.partition.eof"] = "false"
        p["fetch.wait.max.ms"] = String(fetchMaxWaitMilliseconds)
        p["queued.max.messages.kbytes"] = String(queuedMaxKilobytes)
        p["fetch.max.bytes"] = String(fetchMaxKilobytes * 1_024)
        p["partition.assignment.strategy"] = "range,roundrobin"
        return p.merging(common.overrides) { _, new in new }
    }
}
