import Dispatch

/// A serial dispatch queue for librdkafka's blocking calls (poll, flush, commit,
/// admin requests), so they never occupy a thread of Swift's cooperative pool.
struct BlockingQueue: Sendable {
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}

extension RdKafkaHandle {
    /// Cluster metadata, asked on `queue`; `.brokerUnreachable` when no broker answers in time.
    func metadata(on queue: BlockingQueue, topic: String?, timeout: Duration?, defaultMilliseconds: Int) async throws
        -> ClusterMetadata {
        let ms = timeout.map(KafkaProducer.milliseconds) ?? defaultMilliseconds
        return try await queue.run { try self.metadata(topic: topic, timeoutMilliseconds: ms) }
    }

    /// Low and high watermarks of a partition, asked on `queue`.
    func watermarks(on queue: BlockingQueue, _ tp: TopicPartition, timeout: Duration) async throws -> (low: Int64, high: Int64) {
        let ms = KafkaProducer.milliseconds(timeout)
        return try await queue.run { try self.watermarks(tp, timeoutMilliseconds: ms) }
    }
}
