import KafkaClient

/// What the input merger reads of the broker without asking it, inside the loop's lock: both answers come from
/// memory (the stored offsets and librdkafka's cache), so nothing blocks there.
protocol MergerBrokerView {
    /// The stored next offset of a topic-partition, for those nothing was fetched from yet.
    func position(_ tp: TopicPartition) -> Int64?
    /// The broker's last-known end of a topic-partition (nil: not known yet), as the last fetch response told it.
    func cachedEnd(_ tp: TopicPartition) -> Int64?
}

/// What the input merger asks the broker, outside the loop's lock: each call is a round trip (or several), run on
/// the Kafka clients' own queues.
protocol MergerBrokerQueries: Sendable {
    /// The topic-partitions' end offsets now; those the broker could not tell are left out.
    func endOffsets(_ tps: [TopicPartition]) async -> [TopicPartition: Int64]
    /// For the partitions whose upstream check finished, the instant it started (see `UpstreamTracker`).
    /// - Parameter fetched: how far this service fetched each topic-partition itself.
    func upstreamCaughtUp(_ partitions: [Int32], fetched: [TopicPartition: Int64]) async -> [Int32: ContinuousClock.Instant]
}

/// The loop's view: offsets stored in the tenant table, ends cached by the consumer.
struct LiveMergerView: MergerBrokerView {
    let positions: [TopicPartition: Int64]
    let consumer: KafkaConsumer

    func position(_ tp: TopicPartition) -> Int64? { positions[tp] }
    func cachedEnd(_ tp: TopicPartition) -> Int64? { consumer.cachedHighWatermark(tp) }
}

/// The loop's queries: end offsets through its consumer, upstream progress through the tracker's readers.
struct LiveMergerQueries: MergerBrokerQueries {
    let consumer: KafkaConsumer
    let upstreams: UpstreamTracker

    func endOffsets(_ tps: [TopicPartition]) async -> [TopicPartition: Int64] {
        await consumer.highWatermarks(tps)
    }

    func upstreamCaughtUp(_ partitions: [Int32], fetched: [TopicPartition: Int64]) async -> [Int32: ContinuousClock.Instant] {
        await upstreams.advance(partitions, now: .now, ends: { await consumer.highWatermarks($0) }, fetched: { fetched[$0] })
    }
}
