import CRdKafka

/// An error from the Kafka client: a stable `code` to switch on, and a reason for people.
public struct KafkaError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case configuration, brokerUnreachable, timedOut, delivery, consume, commit, admin, closed, queueFull,
                 partitionUnknown, topicUnknown, underlying
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A configuration property was rejected by librdkafka.
        public static let configuration = Code(.configuration)
        /// No broker answered within the timeout.
        public static let brokerUnreachable = Code(.brokerUnreachable)
        /// An operation did not complete within its timeout.
        public static let timedOut = Code(.timedOut)
        /// A message could not be delivered.
        public static let delivery = Code(.delivery)
        /// The consumer reported an error.
        public static let consume = Code(.consume)
        /// Committing offsets failed.
        public static let commit = Code(.commit)
        /// An admin operation (topic creation) failed.
        public static let admin = Code(.admin)
        /// The client was already closed.
        public static let closed = Code(.closed)
        /// The local produce queue is full.
        public static let queueFull = Code(.queueFull)
        /// The partition does not exist.
        public static let partitionUnknown = Code(.partitionUnknown)
        /// The topic does not exist.
        public static let topicUnknown = Code(.topicUnknown)
        /// Any other librdkafka error.
        public static let underlying = Code(.underlying)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let reason: String
    /// librdkafka's numeric error code, when the error came from librdkafka.
    public let rdKafkaErrorCode: Int32?

    public init(code: Code, reason: String, rdKafkaErrorCode: Int32? = nil) {
        self.code = code
        self.reason = reason
        self.rdKafkaErrorCode = rdKafkaErrorCode
    }

    public var description: String {
        "KafkaError(\(code)): \(reason)"
    }

    /// Errors that retrying the same message can never fix (too large, corrupt, invalid record).
    public var isPermanentForMessage: Bool {
        guard let raw = rdKafkaErrorCode else { return false }
        return [RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG, RD_KAFKA_RESP_ERR_INVALID_RECORD,
                RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE].map(\.rawValue).contains(raw)
    }

    /// Errors after which the producer can never deliver again (an idempotent producer fenced or failed fatally, as
    /// after its epoch was bumped while the broker was away): only a new producer can go on.
    public var isFatalForProducer: Bool {
        guard let raw = rdKafkaErrorCode else { return false }
        return [RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__FENCED, RD_KAFKA_RESP_ERR_PRODUCER_FENCED,
                RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH].map(\.rawValue).contains(raw)
    }

    static func from(_ err: rd_kafka_resp_err_t, context: String) -> KafkaError {
        let text = String(cString: rd_kafka_err2str(err))
        let code: Code
        switch err {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE:
            code = .brokerUnreachable
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
            code = .timedOut
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            code = .queueFull
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            code = .partitionUnknown
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
            code = .topicUnknown
        default:
            code = .underlying
        }
        return KafkaError(code: code, reason: "\(context): \(text)", rdKafkaErrorCode: err.rawValue)
    }
}
