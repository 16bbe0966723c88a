import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging
import Synchronization

/// One batch through the loop: the merger releases what may go, `BatchDecider` decides it inside `shared`'s lock, the
/// views get the new states, and the write is committed and produced (`EventLoop+Outbox`).
extension EventLoop {
    /// Decides a batch and commits it to SQLite, then hands its outputs to the producer without waiting: the
    /// next batches are decided while the broker acknowledges this one (the idempotent producer keeps their
    /// order). Acknowledged batches are settled oldest first, so the outbox is deleted in order; at most
    /// `maxInFlight` batches wait for the broker.
    func process(_ batch: PolledBatch, tickTimers: Bool, inFlight: inout [InFlightBatch], _ c: Connections) async throws {
        let started = ContinuousClock.now
        // A batch polled before a later poll's rebalance is dropped undecided: the (eager) rebalance took every
        // partition back and handed them out again at the offsets stored in SQLite, so the new assignment fetches
        // these messages again (or another instance does).
        let stale = batch.rebalancesSeen != rebalances.load(ordering: .acquiring)
        if stale && !batch.messages.isEmpty {
            logger.debug("dropped a batch polled before a rebalance; its partitions are read again from their stored offsets",
                         metadata: ["messages": "\(batch.messages.count)"])
        }
        let messages = stale ? [] : batch.messages
        let decodedMessages = stale ? [] : await batch.decoded()
        let assigned = c.consumer.assignment
        let questions = shared.withLock { s in
            metrics.phaseCPU.measure(.merge) {
                for (m, decoded) in zip(messages, decodedMessages) where s.tenants.owned.contains(m.partition) {
                    metrics.consumed.increment()
                    s.merger.add(m, decoded)
                }
                return s.merger.questions(assigned: assigned, view: LiveMergerView(positions: s.tenants.offsets, consumer: c.consumer))
            }
        }
        // The broker's answers are awaited outside the lock, on the clients' own queues.
        let answers = questions.isEmpty ? nil
            : await InputMerger.ask(questions, LiveMergerQueries(consumer: c.consumer, upstreams: c.upstreams))
        var decision = shared.withLock { s in
            if let answers { s.merger.note(answers) }
            let ready = metrics.phaseCPU.measure(.merge) { release(assigned: assigned, started: started, c, in: &s) }
            var decision = decider.decide(released: ready, timersAt: tickTimers ? clock() : nil, in: &s.tenants)
            if !s.upgradedChangelog.isEmpty {
                decision.write.outbox.insert(contentsOf: s.upgradedChangelog, at: 0)
                s.upgradedChangelog = []
            }
            return decision
        }
        if !decision.changedStates.isEmpty {
            published.withLock { views in
                for c in decision.changedStates { views[c.tenant] = (c.partition, c.state) }
            }
        }
        try await commit(&decision, started: started, inFlight: &inFlight, c)
    }

    /// The events the merger lets go now (at most a batch), with its flow control applied to the consumer.
    func release(assigned: Set<TopicPartition>, started: ContinuousClock.Instant, _ c: Connections,
                 in s: inout Shared) -> [InputMerger.Pending] {
        // At most a batch at once: events held back while an input caught up would otherwise go out as one
        // batch of up to `mergeBufferEvents` (its writes and outputs all in memory at once).
        let ready = s.merger.release(now: .now, assigned: assigned, limit: maxBatch,
                                     view: LiveMergerView(positions: s.tenants.offsets, consumer: c.consumer),
                                     trace: logger.logLevel <= .trace ? { [logger] pending, basis in
                                         logger.trace("released", metadata: [
                                             LoggingKeys.topic: "\(pending.message.topic)", LoggingKeys.partition: "\(pending.message.partition)",
                                             LoggingKeys.offset: "\(pending.message.offset)", "time": "\(pending.time)", "basis": "\(basis)",
                                         ])
                                     } : nil)
        s.releasedToLimit = ready.count >= maxBatch
        // An input far ahead of the others (fetched faster while catching up) is paused until the others
        // catch up with it, so that the fetches bring what the merger waits for instead of filling its buffer.
        let (pause, resume) = s.merger.flowControl(paused: s.paused)
        if !pause.isEmpty || !resume.isEmpty {
            c.consumer.pause(Array(pause))
            c.consumer.resume(Array(resume))
            s.paused = s.paused.union(pause).subtracting(resume)
        }
        s.gaveUpSinceWarning.formUnion(s.merger.takeGaveUpWaiting())
        // At most one warning per 10 s: under overload a partition can start and end episodes quickly.
        if !s.gaveUpSinceWarning.isEmpty, s.lastGaveUpWarning.map({ started - $0 >= .seconds(10) }) ?? true {
            logger.warning("events released before another input's unfetched data or an upstream service's catching up (idle limit or buffer full): order across topics not guaranteed", metadata: [
                "partitions": "\(s.gaveUpSinceWarning.sorted())", "limit_ms": "\(configuration.maxTaskIdleMilliseconds)",
                "buffered": "\(s.merger.buffered)",
            ])
            s.gaveUpSinceWarning = []
            s.lastGaveUpWarning = started
        }
        return ready
    }
}
