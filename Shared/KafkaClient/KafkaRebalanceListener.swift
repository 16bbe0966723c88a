/// Told about partition assignment changes of a consumer group member.
///
/// Both methods run on the consumer's own thread, inside `poll`, before any
/// message of a newly assigned partition is returned and after the last message
/// of a revoked one; they may block briefly (e.g. read offsets from SQLite).
public protocol KafkaRebalanceListener: Sendable {
    /// Partitions were assigned. Return the offset to start each at (the next
    /// offset to read); partitions left out start at the group's committed
    /// offset, or per `auto.offset.reset`.
    func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64]
    /// Partitions were taken away; stop touching their state.
    func partitionsRevoked(_ partitions: [TopicPartition])
}

extension KafkaRebalanceListener {
    public func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] { [:] }
    public func partitionsRevoked(_ partitions: [TopicPartition]) {}
}
