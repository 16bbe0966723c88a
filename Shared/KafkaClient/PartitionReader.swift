import CRdKafka

/// Reads one partition from its beginning to its current end, synchronously.
///
/// The end is where the consumer's fetch reports end-of-partition, not the
/// ListOffsets high watermark: some Kafka-compatible brokers (Tansu 0.6) answer
/// ListOffsets with the last batch's base offset + 1, which would stop the read early.
/// Blocking: for threads that may block (e.g. inside a rebalance callback), never
/// for Swift's cooperative pool.
public enum PartitionReader {
    public static func readAll(_ tp: TopicPartition, common: KafkaConfiguration,
                               timeout: Duration = .seconds(30)) throws -> [ConsumedMessage] {
        var properties = common.properties.merging(common.overrides) { _, new in new }
        properties["group.id"] = "partition-reader"
        properties["enable.auto.commit"] = "false"
        properties["enable.partition.eof"] = "true"
        let handle = try RdKafkaHandle(kind: .consumer, properties: properties)
        defer {
            rd_kafka_consumer_close(handle.pointer)
            handle.destroy()
        }
        let ms = KafkaProducer.milliseconds(timeout)
        let (low, high) = try handle.watermarks(tp, timeoutMilliseconds: ms)
        guard high > low else { return [] }
        let list = KafkaConsumer.makeList([tp: low])
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(handle.pointer, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "assign \(tp)") }
        var result: [ConsumedMessage] = []
        let deadline = ContinuousClock.now + timeout
        var next = low
        while true {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(code: .timedOut, reason: "reading \(tp): at offset \(next) after \(timeout)")
            }
            guard let m = rd_kafka_consumer_poll(handle.pointer, 100) else { continue }
            defer { rd_kafka_message_destroy(m) }
            if m.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                if m.pointee.offset >= next { break }
                continue
            }
            if m.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR { continue }
            let message = KafkaConsumer.convert(m)
            next = message.offset + 1
            result.append(message)
        }
        return result
    }
}
