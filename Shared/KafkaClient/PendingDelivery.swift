import Synchronization

/// Messages handed to the producer whose acknowledgement is awaited later (`KafkaProducer.enqueue(batch:)`).
public final class PendingDelivery: Sendable {
    private struct State {
        var outcome: Result<DeliveryReport?, any Error>?
        var settledAt: ContinuousClock.Instant?
        var waiters: [CheckedContinuation<DeliveryReport?, any Error>] = []
    }
    private let state = Mutex(State())

    init() {}

    /// Whether the broker has answered for every message (or one failed).
    public var isSettled: Bool { state.withLock { $0.outcome != nil } }

    /// When the broker answered for the last message (nil: not yet).
    public var settledAt: ContinuousClock.Instant? { state.withLock { $0.settledAt } }

    func complete(_ outcome: Result<DeliveryReport?, any Error>) {
        let waiters = state.withLock { s -> [CheckedContinuation<DeliveryReport?, any Error>] in
            guard s.outcome == nil else { return [] }
            s.outcome = outcome
            s.settledAt = .now
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(with: outcome) }
    }

    /// Returns when every message is acknowledged (the last one's report), or throws the first delivery error.
    @discardableResult
    public func wait() async throws -> DeliveryReport? {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLock { s -> Result<DeliveryReport?, any Error>? in
                if s.outcome == nil { s.waiters.append(continuation) }
                return s.outcome
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}
