import CRdKafka
import Foundation

/// A topic to create.
public struct TopicSpecification: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    /// -1 lets the broker use its default replication factor.
    public var replicationFactor: Int
    /// Topic configuration, e.g. `cleanup.policy=compact`.
    public var config: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int = -1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}

/// What happened to one topic of a `createTopics` request.
public enum TopicCreationOutcome: Sendable, Hashable {
    case created
    case alreadyExisted
}

/// Cluster administration: topic creation and inspection.
public final class KafkaAdmin: Sendable {
    private let handle: RdKafkaHandle
    private let queue: BlockingQueue
    public let configuration: KafkaConfiguration

    public init(configuration: KafkaConfiguration) throws {
        self.configuration = configuration
        var properties = configuration.properties.merging(configuration.overrides) { _, new in new }
        properties["enable.idempotence"] = nil
        handle = try RdKafkaHandle(kind: .producer, properties: properties)
        queue = BlockingQueue(label: "kafka.admin")
    }

    deinit { handle.destroy() }

    /// Cluster metadata, or `.brokerUnreachable` when no broker answers in time.
    public func metadata(topic: String? = nil, timeout: Duration? = nil) async throws -> ClusterMetadata {
        try await handle.metadata(on: queue, topic: topic, timeout: timeout, defaultMilliseconds: configuration.connectTimeoutMilliseconds)
    }

    /// Low and high watermarks of a partition (the high one is the next offset to be written).
    public func watermarks(_ tp: TopicPartition, timeout: Duration = .seconds(5)) async throws -> (low: Int64, high: Int64) {
        try await handle.watermarks(on: queue, tp, timeout: timeout)
    }

    /// Creates the topics that do not exist yet. Existing topics are left as they are.
    @discardableResult
    public func createTopics(_ specs: [TopicSpecification], timeout: Duration = .seconds(30)) async throws
        -> [String: TopicCreationOutcome] {
        guard !specs.isEmpty else { return [:] }
        let handle = self.handle
        let ms = KafkaProducer.milliseconds(timeout)
        return try await queue.run { try Self.create(specs, handle: handle, timeoutMilliseconds: ms) }
    }

    private static func create(_ specs: [TopicSpecification], handle: RdKafkaHandle,
                               timeoutMilliseconds ms: Int) throws -> [String: TopicCreationOutcome] {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for t in newTopics { rd_kafka_NewTopic_destroy(t) } }
        for spec in specs {
            guard let nt = rd_kafka_NewTopic_new(spec.name, Int32(spec.partitions), Int32(spec.replicationFactor),
                                                 &errstr, errstr.count) else {
                throw KafkaError(code: .admin, reason: "topic \(spec.name): \(String(cString: errstr))")
            }
            newTopics.append(nt)
            for (k, v) in spec.config.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(nt, k, v)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "topic config \(k)") }
            }
        }
        let options = rd_kafka_AdminOptions_new(handle.pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(ms), &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(ms), &errstr, errstr.count)
        let resultQueue = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(resultQueue) }
        newTopics.withUnsafeMutableBufferPointer { buf in
            rd_kafka_CreateTopics(handle.pointer, buf.baseAddress, buf.count, options, resultQueue)
        }
        guard let event = rd_kafka_queue_poll(resultQueue, Int32(ms + 1_000)) else {
            throw KafkaError(code: .timedOut, reason: "create topics: no answer within \(ms) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventErr = rd_kafka_event_error(event)
        if eventErr != RD_KAFKA_RESP_ERR_NO_ERROR {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            let base = KafkaError.from(eventErr, context: "create topics")
            throw KafkaError(code: base.code == .underlying ? .admin : base.code,
                             reason: "\(base.reason) \(text)", rdKafkaErrorCode: eventErr.rawValue)
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(code: .admin, reason: "create topics: unexpected event")
        }
        var count = 0
        guard let topics = rd_kafka_CreateTopics_result_topics(result, &count) else { return [:] }
        var outcome: [String: TopicCreationOutcome] = [:]
        for i in 0..<count {
            let t = topics[i]
            let name = String(cString: rd_kafka_topic_result_name(t))
            let err = rd_kafka_topic_result_error(t)
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR: outcome[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcome[name] = .alreadyExisted
            default:
                let text = rd_kafka_topic_result_error_string(t).map { String(cString: $0) } ?? ""
                throw KafkaError(code: .admin, reason: "create topic \(name): \(text)", rdKafkaErrorCode: err.rawValue)
            }
        }
        return outcome
    }
}
