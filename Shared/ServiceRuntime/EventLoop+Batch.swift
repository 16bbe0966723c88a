import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging
import Synchronization

/// Deciding one batch: what the merger releases is applied to the tenants' states, due timers fire, and what changed
/// becomes the batch's write (entities, offsets, outbox). All of it synchronous, inside `shared`'s lock; then the
/// write is committed and produced (`EventLoop+Outbox`).
extension EventLoop {
    /// What deciding a batch produced.
    struct BatchDecision {
        var write = StateStore.BatchWrite()
        /// Outputs are encoded after the batch's decisions, on all cores: (outbox index, what to encode).
        var toEncode: [(index: Int, emission: Emission, id: String, tenant: TenantID)] = []
        /// Each tenant's state before this batch (nil: write it whole), to store only what changed.
        var before: [TenantID: (state: Processor.State?, recentTotal: Int64)] = [:]
        var dirty: Set<TenantID> = []
        var touchedPartitions: Set<Int32> = []
        var changedStates: [(tenant: TenantID, partition: Int32, state: Processor.State)] = []

        /// Adds a handler's emissions to the outbox, their values to be encoded, their ids derived from the input's.
        mutating func emit(_ emissions: [Emission], input: (id: String, source: String), tenant: TenantID, service: String,
                           topics: TopicNames) {
            guard !emissions.isEmpty else { return }
            // Inside the batch's lock: the input's part of the ids (a hash of its source) is computed once.
            let base = EventIdentity.derivedIDBase(inputID: input.id, source: input.source)
            for (i, e) in emissions.enumerated() {
                toEncode.append((write.outbox.count, e, EventIdentity.derivedID(base: base, service: service, index: i), tenant))
                write.outbox.append((e.topic.name(in: topics), nil, tenant, [], CloudEventCodec.structuredContentType))
            }
        }
    }

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
        var decision = shared.withLock { s in
            for (m, decoded) in zip(messages, decodedMessages) where s.owned.contains(m.partition) {
                metrics.consumed.increment()
                s.merger.add(m, decoded)
            }
            return decide(released: release(assigned: assigned, started: started, c, in: &s), tickTimers: tickTimers, in: &s)
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
        let positions = s.offsets
        let verify = processor.inputs.count > 1 && (configuration.confirmEndOffsets ?? processor.confirmsEndOffsets)
        let (consumer, upstreams) = (c.consumer, c.upstreams)
        // At most a batch at once: events held back while an input caught up would otherwise go out as one
        // batch of up to `mergeBufferEvents` (its writes and outputs all in memory at once).
        let ready = s.merger.release(now: .now, assigned: assigned, limit: maxBatch, position: { positions[$0] },
                                     highWatermark: consumer.cachedHighWatermark,
                                     verifiedEnds: verify ? { consumer.queryHighWatermarks($0) } : nil,
                                     upstreamCaughtUp: upstreams.readers.isEmpty ? nil : { partitions, fetched in
                                         upstreams.advance(partitions, now: .now, ends: { consumer.queryHighWatermarks($0) },
                                                           fetched: fetched)
                                     },
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
            consumer.pause(Array(pause))
            consumer.resume(Array(resume))
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

    /// Applies the released events and, when asked, the due timers to the tenants' states, and collects the write.
    func decide(released ready: [InputMerger.Pending], tickTimers: Bool, in s: inout Shared) -> BatchDecision {
        var d = BatchDecision()
        var current: (tenant: TenantID, index: Dictionary<TenantID, Slot>.Index)?
        for pending in ready {
            let m = pending.message
            d.write.offsets[m.topicPartition] = m.offset + 1
            s.offsets[m.topicPartition] = m.offset + 1
            d.touchedPartitions.insert(m.partition)
            guard let decoded = admitted(pending, into: &d.write) else { continue }
            let tenant = decoded.attributes.tenantID
            // Ids are unique per source (CloudEvents): two producers may use the same id for different events.
            let id = EventIdentity.deliveryKey(source: decoded.attributes.source, id: decoded.attributes.id)
            // The tenant's slot is found by key only when the tenant changes (events of one tenant come in runs);
            // it is then reached by index, in place (inout: a read would copy the whole slot).
            if current?.tenant != tenant {
                if let i = s.slots.index(forKey: tenant) {
                    if Self.delivered(id, &s.slots.values[i]) { continue }
                } else if !tenantCreatingTopics.contains(m.topic) {
                    // Tenant ids come from outside: only configuration creates a tenant's state, so events naming
                    // tenants nobody configured cannot fill memory and disk.
                    d.write.outbox.append(deadLetter(m, code: "tenantNotConfigured",
                                                     message: "no cc.tenant.configured.v1 or other configuration was seen for this tenant"))
                    continue
                }
                touch(tenant, partition: m.partition, in: &s, &d)
                d.dirty.insert(tenant)
                current = (tenant, s.slots.index(forKey: tenant)!)  // after `touch`, which may insert
            } else if Self.delivered(id, &s.slots.values[current!.index]) {
                continue
            }
            apply(decoded, id: id, message: m, slot: current!.index, in: &s, &d)
        }
        if tickTimers { fireTimers(in: &s, &d) }
        collectWrites(in: &s, &d)
        return d
    }

    /// The event of a released message, or nil after dead-lettering it: undecodable, keyed by another tenant, or of
    /// a type its topic does not accept.
    func admitted(_ pending: InputMerger.Pending, into write: inout StateStore.BatchWrite) -> DecodedEvent? {
        let m = pending.message
        let decoded: DecodedEvent
        switch pending.decoded {
        case .success(let event):
            decoded = event
        case .failure(let error):
            write.outbox.append(deadLetter(m, code: error.code.rawValue, message: error.message))
            return nil
        }
        guard m.keyString == decoded.attributes.tenantID else {
            // Keys are tenant ids: a mismatch would put the tenant's events on two partitions.
            write.outbox.append(deadLetter(m, code: "keyMismatch", message: "the message key must be the tenantid"))
            return nil
        }
        guard acceptedTypes[m.topic]?.contains(decoded.attributes.type) ?? false else {
            write.outbox.append(deadLetter(m, code: "typeNotAllowedOnTopic",
                                           message: "\(decoded.attributes.type.prefix(100)) is not accepted on \(m.topic)"))
            return nil
        }
        return decoded
    }

    /// Records the tenant's state before its first change in this batch. The copy shares storage with the live state
    /// until the handler mutates it, so each dictionary is copied at most once per batch.
    func touch(_ tenant: TenantID, partition: Int32, in s: inout Shared, _ d: inout BatchDecision) {
        if s.slots[tenant] == nil {
            s.slots[tenant] = Slot(partition: partition, record: TenantRecord(
                state: processor.initialState(tenant: tenant), recent: RecentEventIDs()))
            d.before[tenant] = (nil, 0)
        } else if d.before[tenant] == nil, let slot = s.slots[tenant] {
            let whole = s.wholeWritePending.remove(tenant) != nil
            d.before[tenant] = (whole ? nil : slot.record.state, slot.record.recent.total)
        }
    }

    /// One event through the processor, on its tenant's state in place; a rejection is a dead letter.
    func apply(_ decoded: DecodedEvent, id: String, message m: ConsumedMessage, slot: Dictionary<TenantID, Slot>.Index,
               in s: inout Shared, _ d: inout BatchDecision) {
        s.slots.values[slot].partition = m.partition
        let context = HandlerContext(tenantID: decoded.attributes.tenantID, eventTime: decoded.attributes.time, topic: m.topic,
                                     partition: m.partition, offset: m.offset)
        do {
            // In place: a rejecting handler leaves the state unchanged (EventProcessor's contract).
            let emissions = try processor.handle(decoded, state: &s.slots.values[slot].record.state, context: context)
            d.emit(emissions, input: (decoded.attributes.id, decoded.attributes.source), tenant: decoded.attributes.tenantID,
                   service: configuration.serviceName, topics: topicNames)
        } catch {
            d.write.outbox.append(deadLetter(m, code: error.code, message: error.message))
        }
        s.slots.values[slot].record.recent.insert(id)
    }

    /// Fires the timers due on the service's clock, tenant by tenant.
    func fireTimers(in s: inout Shared, _ d: inout BatchDecision) {
        let now = clock()
        let service = configuration.serviceName
        for tenant in s.slots.keys.sorted() {
            guard let slot = s.slots[tenant], s.owned.contains(slot.partition),
                  let due = processor.nextDeadline(state: slot.record.state), due <= now else { continue }
            touch(tenant, partition: slot.partition, in: &s, &d)
            let emissions = processor.tick(state: &s.slots[tenant]!.record.state, now: now)
            d.dirty.insert(tenant)
            d.touchedPartitions.insert(slot.partition)
            d.emit(emissions, input: ("tick~\(tenant)~\(now.millisecondsSinceEpoch)", "/\(service)"), tenant: tenant,
                   service: service, topics: topicNames)
        }
    }

    /// SQLite and changelog: the entities each changed tenant's batch changed, and the offsets of every partition
    /// touched.
    func collectWrites(in s: inout Shared, _ d: inout BatchDecision) {
        let encoder = EntityEncoder()
        for tenant in d.dirty.sorted() {
            guard let slot = s.slots[tenant], let b = d.before[tenant] else { continue }
            var changes = StateEntities.Changes()
            StateEntities.diff(old: b.state, new: slot.record.state, encoder: encoder, into: &changes)
            recentChanges(slot.record.recent, since: b.state == nil ? nil : b.recentTotal, encoder: encoder, into: &changes)
            for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
                d.write.entities.append((tenant, slot.partition, key, value))
                d.write.outbox.append((changelogTopic, slot.partition, Self.changelogKey(tenant: tenant, entity: key),
                                       value.map(Array.init) ?? [], nil))
            }
            if b.state == nil { d.write.wholeTenants.append(tenant) }
            d.changedStates.append((tenant, slot.partition, slot.record.state))
        }
        for p in d.touchedPartitions.sorted() {
            let offsets = Dictionary(uniqueKeysWithValues: s.offsets.filter { $0.key.partition == p }.map { ($0.key.topic, $0.value) })
            if let blob = try? encoder.encode(offsets) {
                d.write.outbox.append((changelogTopic, p, "o:\(p)", Array(blob), nil))
            }
        }
    }
}
