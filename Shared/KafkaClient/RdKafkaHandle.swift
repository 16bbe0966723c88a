import CRdKafka
import Foundation

/// Owns one `rd_kafka_t` and its configuration; every librdkafka pointer of the
/// module lives in this type or is used only inside calls made through it.
final class RdKafkaHandle: @unchecked Sendable {
    enum Kind { case producer, consumer }

    /// The raw handle. Valid until `destroy()`; only this module touches it.
    let pointer: OpaquePointer

    /// Builds a configuration, lets `prepare` install callbacks and the opaque,
    /// then creates the client. Properties rejected by librdkafka are `.configuration` errors.
    init(kind: Kind, properties: [String: String], prepare: (OpaquePointer) -> Void = { _ in }) throws {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .configuration, reason: "rd_kafka_conf_new failed")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                // No value is ever shown, refused or not: any property may hold a secret under a name we do not
                // know (sasl.jaas.config, sasl.oauthbearer.config, ...), and librdkafka's message may quote it.
                let reason = "\(key): refused by librdkafka: \(Self.hidingValues(of: properties, in: String(cString: errstr)))"
                throw KafkaError(code: .configuration, reason: reason)
            }
        }
        prepare(conf)
        // On success rd_kafka_new takes ownership of conf.
        guard let rk = rd_kafka_new(kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, &errstr, errstr.count)
        else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .configuration, reason: Self.hidingValues(of: properties, in: String(cString: errstr)))
        }
        pointer = rk
    }

    /// librdkafka's message with every configured value (of three or more characters) replaced by `(hidden)`.
    static func hidingValues(of properties: [String: String], in message: String) -> String {
        properties.values.filter { $0.count >= 3 }.sorted { $0.count > $1.count }
            .reduce(message) { $0.replacingOccurrences(of: $1, with: "(hidden)") }
    }

    func destroy() {
        rd_kafka_destroy(pointer)
    }

    /// Asks the cluster for metadata; a clear error if no broker answers in time.
    /// Blocking: call from a dedicated thread, never from the cooperative pool.
    func metadata(topic: String? = nil, timeoutMilliseconds: Int) throws -> ClusterMetadata {
        var md: UnsafePointer<rd_kafka_metadata>?
        var err: rd_kafka_resp_err_t
        if let topic {
            guard let rkt = rd_kafka_topic_new(pointer, topic, nil) else {
                throw KafkaError(code: .underlying, reason: "rd_kafka_topic_new(\(topic)) failed")
            }
            defer { rd_kafka_topic_destroy(rkt) }
            err = rd_kafka_metadata(pointer, 0, rkt, &md, Int32(timeoutMilliseconds))
        } else {
            err = rd_kafka_metadata(pointer, 1, nil, &md, Int32(timeoutMilliseconds))
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md else {
            if err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT {
                throw KafkaError(code: .brokerUnreachable,
                                 reason: "no broker answered a metadata request within \(timeoutMilliseconds) ms",
                                 rdKafkaErrorCode: err.rawValue)
            }
            throw KafkaError.from(err, context: "metadata")
        }
        defer { rd_kafka_metadata_destroy(md) }
        var brokers: [ClusterMetadata.Broker] = []
        for i in 0..<Int(md.pointee.broker_cnt) {
            let b = md.pointee.brokers[i]
            brokers.append(.init(id: b.id, host: String(cString: b.host), port: b.port))
        }
        var topics: [ClusterMetadata.Topic] = []
        for i in 0..<Int(md.pointee.topic_cnt) {
            let t = md.pointee.topics[i]
            let name = String(cString: t.topic)
            if t.err != RD_KAFKA_RESP_ERR_NO_ERROR { continue }
            topics.append(.init(name: name, partitionCount: Int(t.partition_cnt)))
        }
        return ClusterMetadata(brokers: brokers, topics: topics)
    }

    /// Low and high watermark offsets of a partition, asked of the broker. Blocking.
    func watermarks(_ tp: TopicPartition, timeoutMilliseconds: Int) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(pointer, tp.topic, tp.partition, &low, &high,
                                                   Int32(timeoutMilliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, context: "watermarks \(tp)") }
        return (low, high)
    }

    static func headers(of message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(hdrs, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  let name else { break }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(key: String(cString: name), value: bytes))
            index += 1
        }
        return result
    }

    static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let hdrs = rd_kafka_headers_new(headers.count) else { return nil }
        for h in headers {
            if let v = h.value {
                v.withUnsafeBytes { buf in
                    _ = rd_kafka_header_add(hdrs, h.key, -1, buf.baseAddress, buf.count)
                }
            } else {
                _ = rd_kafka_header_add(hdrs, h.key, -1, nil, 0)
            }
        }
        return hdrs
    }

    static func partitions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
        (0..<Int(list.pointee.cnt)).map { i in
            let e = list.pointee.elems[i]
            return TopicPartition(topic: String(cString: e.topic), partition: e.partition)
        }
    }
}

/// Brokers and topics as the cluster reported them.
public struct ClusterMetadata: Sendable {
    public struct Broker: Sendable, Hashable {
        public var id: Int32
        public var host: String
        public var port: Int32
    }
    public struct Topic: Sendable, Hashable {
        public var name: String
        public var partitionCount: Int
    }
    public var brokers: [Broker]
    public var topics: [Topic]
}

/// The version of the librdkafka the process linked against.
public enum LibRdKafka {
    public static var version: String { String(cString: rd_kafka_version_str()) }
    public static var versionNumber: Int32 { rd_kafka_version() }
}
