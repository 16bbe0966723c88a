import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging
import Synchronization

/// Writing and producing a decided batch: the SQLite transaction in progress, the batches whose outputs are with the
/// broker, and settling them in order.
extension EventLoop {
    /// Batches whose outputs may be with the broker at once.
    static var maxInFlight: Int { 8 }

    /// A committed batch whose outputs are with the producer, not yet acknowledged by the broker. It keeps which
    /// outbox batches they are, not the messages: the producer holds its own copy, and the rare retry one by one
    /// reads them back from SQLite (holding them here kept up to `maxInFlight` batches' outputs in memory twice).
    struct InFlightBatch: Sendable {
        var delivery: PendingDelivery
        /// The outbox batches (`seq`) it produces; nil when it produces nothing.
        var outbox: ClosedRange<Int64>?
        /// Events among its messages (the rest are changelog records).
        var events: Int
        var offsets: [TopicPartition: Int64]
        var started: ContinuousClock.Instant
        var enqueued: ContinuousClock.Instant

        /// Hands the outbox rows left from before to the producer.
        init(producing rows: [StateStore.OutboxRow], with producer: KafkaProducer, offsets: [TopicPartition: Int64],
             started: ContinuousClock.Instant) {
            self.init(producing: rows.map(EventLoop.message),
                      events: rows.reduce(0) { $0 + ($1.contentType == nil ? 0 : 1) },
                      outbox: rows.first.map { first in first.seq...rows[rows.count - 1].seq },
                      with: producer, offsets: offsets, started: started)
        }

        /// Hands a batch just committed as outbox batch `seq` to the producer.
        init(producing write: StateStore.BatchWrite, seq: Int64?, with producer: KafkaProducer, started: ContinuousClock.Instant) {
            var events = 0
            let messages = write.outbox.indices.map { i in
                if write.outbox[i].contentType != nil { events += 1 }
                return EventLoop.message(topic: write.outbox[i].topic, partition: write.outbox[i].partition, key: write.outbox[i].key,
                                         value: write.outbox[i].value, contentType: write.outbox[i].contentType)
            }
            self.init(producing: messages, events: events, outbox: seq.map { $0...$0 }, with: producer, offsets: write.offsets,
                      started: started)
        }

        private init(producing messages: [OutgoingMessage], events: Int, outbox: ClosedRange<Int64>?, with producer: KafkaProducer,
                     offsets: [TopicPartition: Int64], started: ContinuousClock.Instant) {
            delivery = producer.enqueue(batch: messages)
            self.outbox = outbox
            self.events = events
            self.offsets = offsets
            self.started = started
            enqueued = .now
        }
    }

    /// A batch's write on its way to SQLite. One reference holds it, so that filling in the encoded outputs changes
    /// the outbox in place (a captured copy of the write made the first change copy the whole outbox).
    final class WriteInProgress: @unchecked Sendable {
        var write: StateStore.BatchWrite
        init(_ write: StateStore.BatchWrite) { self.write = write }
    }

    /// Commits a decided batch: its outputs are encoded off the loop (on all cores), the write goes to SQLite after
    /// them, and the outputs to the producer once it is committed, while the next batches are decided. With nothing to
    /// write, settles what is out (waiting for the broker is all there is to do).
    func commit(_ decision: inout BatchDecision<Processor.State>, started: ContinuousClock.Instant, inFlight: inout [InFlightBatch],
                _ c: Connections) async throws {
        guard !decision.write.isEmpty else {
            try await collectCommit(into: &inFlight)
            while !inFlight.isEmpty {
                let oldest = inFlight.removeFirst()
                try await settle(oldest, store: c.store, producer: c.producer, consumer: c.consumer)
            }
            try await deleteAcknowledgedOutbox(store: c.store)
            return
        }
        let decided = ContinuousClock.now
        metrics.decidePhase.record(decided - started)
        // The previous batch was encoded and written while this one was decided; batches are written one after
        // another, and each one's outputs go to the producer as soon as its transaction is committed.
        try await collectCommit(into: &inFlight)
        decision.write.acknowledgedOutbox = acknowledgedOutbox.withLock { seq in defer { seq = nil }; return seq }
        let pending = PendingCommit()
        committing.withLock { $0 = pending }
        // A rebalance or shutdown waits for the encoding and the write (`committing`).
        let inProgress = WriteInProgress(decision.write)
        decision.write = StateStore.BatchWrite()  // `inProgress` holds the only reference to the outbox
        let (toEncode, store, producer, source) = (decision.toEncode, c.store, c.producer, "/" + configuration.serviceName)
        DispatchQueue.global().async { [inProgress, toEncode, metrics] in
            let encoded = ParallelMap.map(toEncode.count, minimum: 32, cpu: metrics.phaseCPU, .encode) { i in toEncode[i].encoded(source: source) }
            for (e, value) in zip(toEncode, encoded) { inProgress.write.outbox[e.index].value = value }
            store.commit(inProgress.write, cpu: metrics.phaseCPU) { result in
                metrics.storePhase.record(.now - decided)
                pending.finish(result.map { seq in
                    metrics.phaseCPU.measure(.produce) {
                        InFlightBatch(producing: inProgress.write, seq: seq, with: producer, started: started)
                    }
                })
            }
        }
        while let oldest = inFlight.first, oldest.delivery.isSettled || inFlight.count > Self.maxInFlight {
            inFlight.removeFirst()
            try await settle(oldest, store: c.store, producer: c.producer, consumer: c.consumer)
        }
    }

    /// Waits for the batch being written, if any, and adds it to the batches in flight.
    func collectCommit(into inFlight: inout [InFlightBatch]) async throws {
        guard let pending = committing.withLock({ $0 }) else { return }
        defer { committing.withLock { $0 = nil } }
        do {
            inFlight.append(try await pending.value())
        } catch {
            throw StateCommitFailed(underlying: error)
        }
    }

    /// A batch's SQLite transaction in progress. The loop awaits it; a rebalance callback (on the consumer's own
    /// thread) blocks on it, so that partitions change hands only with every decided batch stored.
    final class PendingCommit: Sendable {
        private let done = DispatchGroup()
        private let result = Mutex<Result<InFlightBatch, any Error>?>(nil)

        init() { done.enter() }

        func finish(_ outcome: Result<InFlightBatch, any Error>) {
            result.withLock { $0 = outcome }
            done.leave()
        }

        func waitBlocking() { done.wait() }

        func value() async throws -> InFlightBatch {
            await withCheckedContinuation { continuation in
                done.notify(queue: .global()) { continuation.resume() }
            }
            return try result.withLock { $0! }.get()
        }
    }

    static func message(_ r: StateStore.OutboxRow) -> OutgoingMessage {
        message(topic: r.topic, partition: r.partition, key: r.key, value: r.value, contentType: r.contentType)
    }

    static func message(topic: String, partition: Int32?, key: String, value: [UInt8], contentType: String?) -> OutgoingMessage {
        let headers: [KafkaHeader]
        switch contentType {
        case nil: headers = []
        case CloudEventCodec.structuredContentType: headers = cloudEventMessageHeaders
        case let other?: headers = [KafkaHeader(key: "content-type", string: other)]
        }
        return OutgoingMessage(topic: topic, partition: partition, key: Array(key.utf8), value: value, headers: headers)
    }

    /// Waits for a batch's acknowledgements; its outbox rows are deleted with the next batch's transaction (or by
    /// `deleteAcknowledgedOutbox` when there is none). Until then a restart produces them again, with the same
    /// event ids, which consumers skip.
    func settle(_ batch: InFlightBatch, store: StateStore, producer: KafkaProducer, consumer: KafkaConsumer?) async throws {
        guard let outbox = batch.outbox else { return }
        do {
            try await batch.delivery.wait()
        } catch let error as KafkaError where error.isPermanentForMessage {
            // One row can never be produced: send the rest one by one and drop that row (logged), so
            // that it cannot block the outbox forever. Rows already delivered are re-sent with the same
            // event ids, which consumers skip.
            for r in try await store.outboxRows(outbox) {
                do {
                    try await producer.send(Self.message(r))
                } catch let e as KafkaError where e.isPermanentForMessage {
                    logger.error("dropped an outbox message that can never be produced", metadata: [
                        LoggingKeys.topic: "\(r.topic)", "bytes": "\(r.value.count)", LoggingKeys.error: "\(e.reason)",
                    ])
                }
            }
        }
        // The broker may acknowledge before `enqueued` is read on this thread: a negative duration would make the
        // histogram's sum negative, which its rendering of /metrics cannot represent (it traps).
        let acknowledged = Swift.max(batch.delivery.settledAt ?? .now, batch.enqueued)
        metrics.producePhase.record(acknowledged - batch.enqueued)
        metrics.produced.increment(by: Int64(batch.events))
        acknowledgedOutbox.withLock { $0 = Swift.max($0 ?? outbox.upperBound, outbox.upperBound) }
        if let consumer {
            // For lag views and downstream services' progress checks (SQLite holds the truth): sent in the
            // background, in order, so the loop waits neither for the consumer's thread nor for the broker.
            consumer.commitInBackground(batch.offsets)
            metrics.batchLatency.record(acknowledged - batch.started)
        }
    }

    /// Deletes the acknowledged outbox rows at once (idle, shutdown, a restart's outbox).
    func deleteAcknowledgedOutbox(store: StateStore) async throws {
        guard let seq = acknowledgedOutbox.withLock({ seq in defer { seq = nil }; return seq }) else { return }
        try await store.deleteOutbox(through: seq)
    }

    /// Produces what a crash left in the outbox, before consuming anything new.
    func flushOutbox(store: StateStore, producer: KafkaProducer) async throws {
        while true {
            let rows = try await store.pendingOutbox()
            if rows.isEmpty { return }
            logger.info("producing outbox left from before", metadata: ["rows": "\(rows.count)"])
            try await settle(InFlightBatch(producing: rows, with: producer, offsets: [:], started: .now),
                             store: store, producer: producer, consumer: nil)
            try await deleteAcknowledgedOutbox(store: store)
        }
    }
}
