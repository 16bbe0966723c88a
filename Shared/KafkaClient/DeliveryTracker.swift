import Synchronization

/// Matches librdkafka's delivery reports to the callers waiting for them.
/// Each produce call registers a batch; every message of the batch carries the
/// batch's id as its opaque, and the batch completes when all are reported.
final class DeliveryTracker: Sendable {
    private struct Batch {
        var remaining: Int
        var firstError: KafkaError?
        var lastReport: DeliveryReport?
        var completion: @Sendable (Result<DeliveryReport?, any Error>) -> Void
    }
    private struct State {
        var nextID: UInt = 1
        var batches: [UInt: Batch] = [:]
    }
    private let state = Mutex(State())

    func register(count: Int, completion: @escaping @Sendable (Result<DeliveryReport?, any Error>) -> Void) -> UInt {
        state.withLock { s in
            let id = s.nextID
            s.nextID &+= 1
            if s.nextID == 0 { s.nextID = 1 }
            s.batches[id] = Batch(remaining: count, completion: completion)
            return id
        }
    }

    /// Called from librdkafka's delivery callback (on the poll thread) for a message the broker acknowledged. The
    /// report is made for a batch's last acknowledgement only (a topic name string per message otherwise).
    func delivered(batchID: UInt, report: () -> DeliveryReport) {
        settle(batchID, count: 1) { b in
            if b.remaining == 1 { b.lastReport = report() }
        }
    }

    /// Called from librdkafka's delivery callback for a message that could not be delivered.
    func failed(batchID: UInt, error: KafkaError) {
        settle(batchID, count: 1) { b in if b.firstError == nil { b.firstError = error } }
    }

    /// Some messages of the batch were never enqueued: they will get no report.
    func abandon(batchID: UInt, count: Int, error: KafkaError) {
        settle(batchID, count: count) { b in if b.firstError == nil { b.firstError = error } }
    }

    /// Counts `count` messages of a batch as settled; resumes its waiter when none remain.
    private func settle(_ batchID: UInt, count: Int, _ update: (inout Batch) -> Void) {
        let finished: Batch? = state.withLock { s in
            // In place: a copy of the batch out of the dictionary and back was most of a report's cost.
            guard let i = s.batches.index(forKey: batchID) else { return nil }
            update(&s.batches.values[i])
            s.batches.values[i].remaining -= count
            return s.batches.values[i].remaining <= 0 ? s.batches.remove(at: i).value : nil
        }
        if let finished { Self.resume(finished) }
    }

    /// Fails every batch still waiting (the producer is being destroyed).
    func failAll(_ error: KafkaError) {
        let all = state.withLock { s in
            let b = Array(s.batches.values)
            s.batches.removeAll()
            return b
        }
        for b in all { b.completion(.failure(b.firstError ?? error)) }
    }

    var inFlightBatches: Int { state.withLock { $0.batches.count } }

    private static func resume(_ b: Batch) {
        if let e = b.firstError {
            b.completion(.failure(e))
        } else {
            b.completion(.success(b.lastReport))
        }
    }
}
