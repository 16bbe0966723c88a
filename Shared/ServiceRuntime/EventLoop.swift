import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging
import ServiceLifecycle
import Synchronization

/// The consume → decide → produce loop every service runs on.
///
/// Per batch: decode each message (or dead-letter it), apply it to its tenant's
/// state through the processor, then write states, offsets and the outgoing
/// events (the outbox) in ONE SQLite transaction; produce the outbox (idempotent
/// producer) and delete it once acknowledged. Output event ids derive from the
/// input event id, so a replay produces the same ids. Every batch also writes the
/// changed tenant states and offsets to the compacted changelog topic, from which
/// an instance that is assigned a partition restores that partition's state.
public final class EventLoop<Processor: EventProcessor>: Service, Sendable {
    public typealias Clock = @Sendable () -> Timestamp

    private struct Slot: Sendable {
        var partition: Int32
        var record: TenantRecord<Processor.State>
    }

    private struct Shared: Sendable {
        var owned: Set<Int32> = []
        var slots: [TenantID: Slot] = [:]
        var offsets: [TopicPartition: Int64] = [:]
        /// Tenants restored from an older whole-state record: their next batch writes every entity.
        var wholeWritePending: Set<TenantID> = []
        /// Consumed events waiting for their turn in event-time order across the input topics.
        var merger: InputMerger
        /// Input topic-partitions paused because the merger holds many of their events.
        var paused: Set<TopicPartition> = []
        /// The last batch stopped at `maxBatch` released events: more may be ready without fetching anything.
        var releasedToLimit = false
        /// Partitions that released without waiting since the last warning, and when that was.
        var gaveUpSinceWarning: Set<Int32> = []
        var lastGaveUpWarning: ContinuousClock.Instant?
    }

    let processor: Processor
    let configuration: ServiceConfiguration
    let health: HealthState
    let metrics: ServiceMetrics
    let logger: Logger
    let clock: Clock
    let tickInterval: Duration?
    let maxBatch: Int
    private let shared: Mutex<Shared>
    /// What HTTP views read: each owned tenant's state as of the last decided batch. Published after each
    /// batch, so that a view never waits for a batch in progress (the batch holds `shared` while deciding).
    private let published = Mutex<[TenantID: (partition: Int32, state: Processor.State)]>([:])
    private let stopping = Atomic<Bool>(false)
    /// Rebalance callbacks so far (assigned or revoked): a polled batch remembers the count it was polled under.
    private let rebalances = Atomic<Int>(0)
    /// The batch being written to SQLite while the next one is decided (at most one).
    private let committing = Mutex<PendingCommit?>(nil)
    /// The last outbox row the broker acknowledged whose deletion waits for the next batch's transaction.
    private let acknowledgedOutbox = Mutex<Int64?>(nil)
    /// The store, once open: HTTP views read archived records from it.
    private let openStore = Mutex<StateStore?>(nil)

    /// - Parameter tickInterval: how often timers are checked on the wall clock (nil: only on `cc.clock.tick.v1`).
    public init(processor: Processor, configuration: ServiceConfiguration, health: HealthState, metrics: ServiceMetrics,
                logger: Logger, clock: @escaping Clock = EventLoop.wallClock, tickInterval: Duration? = .milliseconds(200)) {
        self.processor = processor
        self.configuration = configuration
        self.health = health
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.tickInterval = tickInterval
        maxBatch = configuration.maxBatch
        let names = configuration.topics
        topicNames = names
        changelogTopic = names.changelog(service: configuration.serviceName)
        let topics = processor.inputs.map { $0.name(in: names) }
        acceptedTypes = Dictionary(processor.inputs.map { ($0.name(in: names), $0.acceptedTypes) }, uniquingKeysWith: { a, _ in a })
        // A processor that reads configuration gets tenants from it; one that does not (tests) from any input.
        eventTimeLimit = EventTimeLimit(maximumAheadSeconds: configuration.maximumEventAheadSeconds)
        tenantCreatingTopics = Set((processor.inputs.contains(.config) ? [.config] : processor.inputs).map { $0.name(in: names) })
        shared = Mutex(Shared(merger: InputMerger(topics: topics,
                                                  maxIdle: .milliseconds(configuration.maxTaskIdleMilliseconds),
                                                  maxBuffered: configuration.mergeBufferEvents)))
    }

    public static func wallClock() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
    }

    /// Built once: every output names its topic.
    let topicNames: TopicNames
    /// The types each input topic accepts (the contract's allow-list), by prefixed topic name.
    let acceptedTypes: [String: Set<String>]
    /// Input topics whose events may create a tenant's state.
    let tenantCreatingTopics: Set<String>
    let eventTimeLimit: EventTimeLimit
    /// Built once: every entity write names it (a new string per write was 13 MB of report-service's heap at its peak).
    let changelogTopic: String

    /// The compacted changelog topic this service needs besides the contract's.
    public var changelogSpecification: TopicSpecification {
        TopicSpecification(name: changelogTopic, partitions: configuration.partitions,
                           replicationFactor: configuration.replicationFactor,
                           config: ["cleanup.policy": "compact"])
    }

    // MARK: run

    public func run() async throws {
        health.markNotReady("waiting for the broker", .consumer)
        while !health.isReady(.broker) {
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let store = try StateStore(directory: configuration.dataDirectory)
        openStore.withLock { $0 = store }
        let producer = try KafkaProducer(configuration: configuration.producer)
        try await flushOutbox(store: store, producer: producer)
        let topics = processor.inputs.map { $0.name(in: configuration.topics) }
        let listener = Listener(loop: self, store: store)
        let consumer = try KafkaConsumer(
            configuration: configuration.consumer, topics: topics, rebalanceListener: listener, logger: logger)
        // Readers of the upstream services' progress: they never join those groups, only read their offsets.
        let upstreams = UpstreamTracker(readers: try processor.upstream.map { u in
            UpstreamTracker.Reader(service: u.service, topics: u.inputs.map { $0.name(in: configuration.topics) },
                                   consumer: try KafkaConsumer(configuration: ConsumerConfiguration(
                                       common: configuration.kafka, groupID: configuration.topicPrefix + u.service), topics: []))
        }, partitionCount: configuration.partitions)
        logger.info("consuming", metadata: [LoggingKeys.topics: "\(topics)", "data": "\(store.path)"])
        var failure: (any Error)?
        await withGracefulShutdownHandler {
            var first = true
            var lastTick = ContinuousClock.now
            var inFlight: [InFlightBatch] = []
            // Polled batches not processed yet, oldest first. While the input is backlogged (full polls), one batch is
            // decoded off the loop while the loop polls the next and decides the one before it; otherwise each batch
            // is processed as soon as it is polled. Kept across a producing failure (they are not processed yet).
            var polled: [PolledBatch] = []
            while !stopping.load(ordering: .acquiring) {
                do {
                    // While a batch's outputs are out, come back soon to settle it even if nothing new arrives.
                    // (And while events wait for their turn across inputs, to release them soon after it comes.)
                    let (holding, more) = shared.withLock { ($0.merger.buffered > 0, $0.releasedToLimit) }
                    let wait: Duration = more || !polled.isEmpty ? .zero
                        : inFlight.isEmpty && !holding ? .milliseconds(100) : .milliseconds(5)
                    let messages = try await consumer.poll(maxMessages: maxBatch, timeout: wait)
                    if first {
                        first = false
                        health.markReady(.consumer)
                    }
                    let batch = PolledBatch(messages, rebalancesSeen: rebalances.load(ordering: .acquiring), timeLimit: eventTimeLimit)
                    let backlogged = messages.count >= maxBatch
                    if backlogged { batch.startDecoding() }
                    polled.append(batch)
                    while polled.count > (backlogged ? 1 : 0) {
                        var ticks = false
                        if let interval = tickInterval, ContinuousClock.now - lastTick >= interval {
                            ticks = true
                            lastTick = .now
                        }
                        try await process(polled.removeFirst(), tickTimers: ticks, inFlight: &inFlight, store: store,
                                          producer: producer, consumer: consumer, upstreams: upstreams)
                    }
                    metrics.consumerLag.set(Double(consumer.lag(nextOffsets: shared.withLock { $0.offsets })))
                } catch let fatal as StateCommitFailed {
                    // In-memory state is ahead of SQLite: stop, and let the restart recover from SQLite.
                    logger.critical("state could not be written; exiting", metadata: [LoggingKeys.error: "\(fatal.underlying)"])
                    failure = fatal
                    break
                } catch {
                    // State and outbox are committed; producing failed (e.g. the broker is away). Consume
                    // nothing new until the outbox is out, so that outputs keep their order.
                    inFlight = []
                    // A batch still being written goes out with the rest of the outbox.
                    if let pending = committing.withLock({ $0 }) {
                        do {
                            _ = try await pending.value()
                            committing.withLock { $0 = nil }
                        } catch {
                            logger.critical("state could not be written; exiting", metadata: [LoggingKeys.error: "\(error)"])
                            failure = StateCommitFailed(underlying: error)
                            break
                        }
                    }
                    health.markNotReady("producing failed: \(error)", .consumer)
                    logger.error("producing failed; retrying the outbox", metadata: [LoggingKeys.error: "\(error)"])
                    while !stopping.load(ordering: .acquiring) {
                        try? await Task.sleep(for: .seconds(1))
                        do {
                            try await flushOutbox(store: store, producer: producer)
                            break
                        } catch {
                            logger.warning("outbox still not produced", metadata: [LoggingKeys.error: "\(error)"])
                        }
                    }
                    first = true
                }
            }
            do {
                if failure == nil { try await collectCommit(into: &inFlight) }
                for batch in inFlight { try await settle(batch, store: store, producer: producer, consumer: consumer) }
                try await deleteAcknowledgedOutbox(store: store)
            } catch {
                logger.warning("outputs of the last batches not acknowledged; they go out on the next start",
                               metadata: [LoggingKeys.error: "\(error)"])
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
        }
        // The batch in hand is committed; hand the partitions back and flush.
        await consumer.close()
        try? await producer.close(timeout: .seconds(5))
        logger.info("consumer stopped")
        if let failure { throw failure }
    }

    // MARK: batches

    /// Batches whose outputs may be with the broker at once.
    static var maxInFlight: Int { 8 }

    /// A committed batch whose outputs are with the producer, not yet acknowledged by the broker. It keeps which
    /// outbox batches they are, not the messages: the producer holds its own copy, and the rare retry one by one
    /// reads them back from SQLite (holding them here kept up to `maxInFlight` batches' outputs in memory twice).
    private struct InFlightBatch: Sendable {
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
    private final class WriteInProgress: @unchecked Sendable {
        var write: StateStore.BatchWrite
        init(_ write: StateStore.BatchWrite) { self.write = write }
    }

    /// Decides a batch and commits it to SQLite, then hands its outputs to the producer without waiting: the
    /// next batches are decided while the broker acknowledges this one (the idempotent producer keeps their
    /// order). Acknowledged batches are settled oldest first, so the outbox is deleted in order; at most
    /// `maxInFlight` batches wait for the broker.
    private func process(_ batch: PolledBatch, tickTimers: Bool, inFlight: inout [InFlightBatch], store: StateStore,
                         producer: KafkaProducer, consumer: KafkaConsumer, upstreams: UpstreamTracker) async throws {
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
        var write = StateStore.BatchWrite()
        var dirty: Set<TenantID> = []
        var touchedPartitions: Set<Int32> = []
        let service = configuration.serviceName
        let source = "/" + service
        let topics = topicNames

        /// Outputs are encoded after the batch's decisions, on all cores: (outbox index, what to encode).
        var toEncode: [(index: Int, emission: Emission, id: String, tenant: TenantID)] = []
        func emit(_ emissions: [Emission], input: (id: String, source: String), tenant: TenantID) {
            guard !emissions.isEmpty else { return }
            // Inside the batch's lock: the input's part of the ids (a hash of its source) is computed once.
            let base = EventIdentity.derivedIDBase(inputID: input.id, source: input.source)
            for (i, e) in emissions.enumerated() {
                toEncode.append((write.outbox.count, e, EventIdentity.derivedID(base: base, service: service, index: i), tenant))
                write.outbox.append((e.topic.name(in: topics), nil, tenant, [], CloudEventCodec.structuredContentType))
            }
        }

        let assigned = consumer.assignment
        let inputCount = processor.inputs.count
        // Each tenant's state before this batch (nil: write it whole), to store only what changed.
        var before: [TenantID: (state: Processor.State?, recentTotal: Int64)] = [:]
        var changedStates: [(tenant: TenantID, partition: Int32, state: Processor.State)] = []
        shared.withLock { s in
            /// Records the tenant's state before its first change in this batch. The copy shares storage with the
            /// live state until the handler mutates it, so each dictionary is copied at most once per batch.
            func touch(_ tenant: TenantID, partition: Int32) {
                if s.slots[tenant] == nil {
                    s.slots[tenant] = Slot(partition: partition, record: TenantRecord(
                        state: processor.initialState(tenant: tenant), recent: RecentEventIDs()))
                    before[tenant] = (nil, 0)
                } else if before[tenant] == nil, let slot = s.slots[tenant] {
                    let whole = s.wholeWritePending.remove(tenant) != nil
                    before[tenant] = (whole ? nil : slot.record.state, slot.record.recent.total)
                }
            }
            for (m, decoded) in zip(messages, decodedMessages) where s.owned.contains(m.partition) {
                metrics.consumed.increment()
                s.merger.add(m, decoded)
            }
            let positions = s.offsets
            let verify = inputCount > 1 && (configuration.confirmEndOffsets ?? processor.confirmsEndOffsets)
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
            var current: (tenant: TenantID, index: Dictionary<TenantID, Slot>.Index)?
            for pending in ready {
                let m = pending.message
                write.offsets[m.topicPartition] = m.offset + 1
                s.offsets[m.topicPartition] = m.offset + 1
                touchedPartitions.insert(m.partition)
                let decoded: DecodedEvent
                switch pending.decoded {
                case .success(let event):
                    decoded = event
                case .failure(let error):
                    write.outbox.append(deadLetter(m, code: error.code.rawValue, message: error.message))
                    continue
                }
                let tenant = decoded.attributes.tenantID
                guard m.keyString == tenant else {
                    // Keys are tenant ids: a mismatch would put the tenant's events on two partitions.
                    write.outbox.append(deadLetter(m, code: "keyMismatch",
                                                   message: "the message key must be the tenantid"))
                    continue
                }
                guard acceptedTypes[m.topic]?.contains(decoded.attributes.type) ?? false else {
                    write.outbox.append(deadLetter(m, code: "typeNotAllowedOnTopic",
                                                   message: "\(decoded.attributes.type.prefix(100)) is not accepted on \(m.topic)"))
                    continue
                }
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
                        write.outbox.append(deadLetter(m, code: "tenantNotConfigured",
                                                       message: "no cc.tenant.configured.v1 or other configuration was seen for this tenant"))
                        continue
                    }
                    touch(tenant, partition: m.partition)
                    dirty.insert(tenant)
                    current = (tenant, s.slots.index(forKey: tenant)!)  // after `touch`, which may insert
                } else if Self.delivered(id, &s.slots.values[current!.index]) {
                    continue
                }
                let slot = current!.index
                s.slots.values[slot].partition = m.partition
                let context = HandlerContext(tenantID: tenant, eventTime: decoded.attributes.time, topic: m.topic,
                                             partition: m.partition, offset: m.offset)
                do {
                    // In place: a rejecting handler leaves the state unchanged (EventProcessor's contract).
                    let emissions = try processor.handle(decoded, state: &s.slots.values[slot].record.state, context: context)
                    emit(emissions, input: (decoded.attributes.id, decoded.attributes.source), tenant: tenant)
                } catch let error as HandlerRejection {
                    write.outbox.append(deadLetter(m, code: error.code, message: error.message))
                } catch {
                    write.outbox.append(deadLetter(m, code: "handlerRejected", message: "\(error)"))
                }
                s.slots.values[slot].record.recent.insert(id)
            }
            if tickTimers {
                let now = clock()
                for tenant in s.slots.keys.sorted() {
                    guard let slot = s.slots[tenant], s.owned.contains(slot.partition),
                          let due = processor.nextDeadline(state: slot.record.state), due <= now else { continue }
                    touch(tenant, partition: slot.partition)
                    let emissions = processor.tick(state: &s.slots[tenant]!.record.state, now: now)
                    dirty.insert(tenant)
                    touchedPartitions.insert(slot.partition)
                    emit(emissions, input: ("tick~\(tenant)~\(now.millisecondsSinceEpoch)", "/\(service)"), tenant: tenant)
                }
            }
            // SQLite and changelog: the entities each changed tenant's batch changed, and the offsets
            // of every partition touched.
            let encoder = EntityEncoder()
            for tenant in dirty.sorted() {
                guard let slot = s.slots[tenant], let b = before[tenant] else { continue }
                var changes = StateEntities.Changes()
                StateEntities.diff(old: b.state, new: slot.record.state, encoder: encoder, into: &changes)
                recentChanges(slot.record.recent, since: b.state == nil ? nil : b.recentTotal, encoder: encoder,
                              into: &changes)
                for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
                    write.entities.append((tenant, slot.partition, key, value))
                    write.outbox.append((changelogTopic, slot.partition, Self.changelogKey(tenant: tenant, entity: key),
                                         value.map(Array.init) ?? [], nil))
                }
                if b.state == nil { write.wholeTenants.append(tenant) }
                changedStates.append((tenant, slot.partition, slot.record.state))
            }
            for p in touchedPartitions.sorted() {
                let offsets = Dictionary(uniqueKeysWithValues: s.offsets.filter { $0.key.partition == p }
                    .map { ($0.key.topic, $0.value) })
                if let blob = try? encoder.encode(offsets) {
                    write.outbox.append((changelogTopic, p, "o:\(p)", Array(blob), nil))
                }
            }
        }
        if !changedStates.isEmpty {
            published.withLock { views in
                for c in changedStates { views[c.tenant] = (c.partition, c.state) }
            }
        }
        guard !write.isEmpty else {
            // Nothing new: settle what is out (waiting for the broker is all there is to do).
            try await collectCommit(into: &inFlight)
            while !inFlight.isEmpty {
                let oldest = inFlight.removeFirst()
                try await settle(oldest, store: store, producer: producer, consumer: consumer)
            }
            try await deleteAcknowledgedOutbox(store: store)
            return
        }
        let decided = ContinuousClock.now
        metrics.decidePhase.record(decided - started)
        // The previous batch was encoded and written while this one was decided; batches are written one after
        // another, and each one's outputs go to the producer as soon as its transaction is committed.
        try await collectCommit(into: &inFlight)
        write.acknowledgedOutbox = acknowledgedOutbox.withLock { seq in defer { seq = nil }; return seq }
        let pending = PendingCommit()
        committing.withLock { $0 = pending }
        // Encoding the outputs is pure: it runs off the loop (on all cores), overlapping the next batch's decisions,
        // and the write follows it. A rebalance or shutdown waits for both (`committing`).
        let inProgress = WriteInProgress(write)
        write = StateStore.BatchWrite()  // `inProgress` holds the only reference to the outbox
        DispatchQueue.global().async { [inProgress, toEncode, metrics] in
            let encoded = ParallelMap.map(toEncode.count, minimum: 32) { i in
                let e = toEncode[i]
                return CloudEventCodec.encode(e.emission.payload, id: e.id, source: source, time: e.emission.time,
                                              tenantID: e.tenant, subject: e.emission.subject)
            }
            for (e, value) in zip(toEncode, encoded) { inProgress.write.outbox[e.index].value = value }
            store.commit(inProgress.write) { result in
                metrics.storePhase.record(.now - decided)
                pending.finish(result.map { seq in
                    InFlightBatch(producing: inProgress.write, seq: seq, with: producer, started: started)
                })
            }
        }
        while let oldest = inFlight.first, oldest.delivery.isSettled || inFlight.count > Self.maxInFlight {
            inFlight.removeFirst()
            try await settle(oldest, store: store, producer: producer, consumer: consumer)
        }
    }

    /// Waits for the batch being written, if any, and adds it to the batches in flight.
    private func collectCommit(into inFlight: inout [InFlightBatch]) async throws {
        guard let pending = committing.withLock({ $0 }) else { return }
        defer { committing.withLock { $0 = nil } }
        do {
            inFlight.append(try await pending.value())
        } catch {
            throw StateCommitFailed(underlying: error)
        }
    }

    /// Messages of one poll and their decoding (pure, on all cores): started at once for a batch decoded while the
    /// loop works on the one before it, or done when the loop asks for it.
    private final class PolledBatch: @unchecked Sendable {
        let messages: [ConsumedMessage]
        /// `rebalances` right after the poll returned.
        let rebalancesSeen: Int
        let timeLimit: EventTimeLimit
        private var result: [Result<DecodedEvent, EventDecodingError>]?
        private var decoding: DispatchGroup?

        init(_ messages: [ConsumedMessage], rebalancesSeen: Int, timeLimit: EventTimeLimit) {
            self.messages = messages
            self.rebalancesSeen = rebalancesSeen
            self.timeLimit = timeLimit
        }

        func startDecoding() {
            guard decoding == nil, result == nil, !messages.isEmpty else { return }
            let group = DispatchGroup()
            decoding = group
            group.enter()
            DispatchQueue.global().async { [self] in
                result = Self.decode(messages, timeLimit: timeLimit)  // read only after the group is left
                group.leave()
            }
        }

        func decoded() async -> [Result<DecodedEvent, EventDecodingError>] {
            if let decoding {
                await withCheckedContinuation { continuation in decoding.notify(queue: .global()) { continuation.resume() } }
            } else if result == nil {
                result = Self.decode(messages, timeLimit: timeLimit)
            }
            return result!
        }

        private static func decode(_ messages: [ConsumedMessage],
                                   timeLimit: EventTimeLimit) -> [Result<DecodedEvent, EventDecodingError>] {
            let now = EventLoop.wallClock()
            return ParallelMap.map(messages.count) { i in
                let m = messages[i]
                do {
                    let event = try CloudEventCodec.decode(value: m.value, headers: m.headers.map { ($0.key, $0.value) })
                    try timeLimit.check(event, now: now)
                    return .success(event)
                } catch let error as EventDecodingError {
                    return .failure(error)
                } catch {
                    return .failure(EventDecodingError(.invalidJSON, "\(error)"))
                }
            }
        }
    }

    /// A batch's SQLite transaction in progress. The loop awaits it; a rebalance callback (on the consumer's own
    /// thread) blocks on it, so that partitions change hands only with every decided batch stored.
    private final class PendingCommit: Sendable {
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
    private func settle(_ batch: InFlightBatch, store: StateStore, producer: KafkaProducer, consumer: KafkaConsumer?) async throws {
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
        let acknowledged = batch.delivery.settledAt ?? .now
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
    private func deleteAcknowledgedOutbox(store: StateStore) async throws {
        guard let seq = acknowledgedOutbox.withLock({ seq in defer { seq = nil }; return seq }) else { return }
        try await store.deleteOutbox(through: seq)
    }

    private func deadLetter(_ m: ConsumedMessage, code: String, message: String)
        -> (topic: String, partition: Int32?, key: String, value: [UInt8], contentType: String?) {
        metrics.deadLettered.increment()
        logger.warning("dead-lettered", metadata: [
            LoggingKeys.topic: "\(m.topic)", LoggingKeys.partition: "\(m.partition)", LoggingKeys.offset: "\(m.offset)",
            LoggingKeys.error: "\(code): \(message)",
        ])
        let tenant = m.keyString.map { String($0.prefix(100)) } ?? "unknown"
        let time = m.timestampMilliseconds.map(Timestamp.init(millisecondsSinceEpoch:)) ?? clock()
        // A dead letter must itself fit in a Kafka message: keep at most 256 KiB of the original.
        let keep = 262_144
        let truncated = m.value.count > keep
        let payload = StatusEvents.DeadLetter(
            originalTopic: m.topic, partition: Int(m.partition), offset: m.offset, key: m.keyString.map { String($0.prefix(200)) },
            error: .init(code: code, message: String(message.prefix(500))
                         + (truncated ? " (payload truncated from \(m.value.count) bytes)" : "")),
            payloadBase64: Data(m.value.prefix(keep)).base64EncodedString(), service: configuration.serviceName, at: EventTime(time))
        let value = CloudEventCodec.encode(payload, id: "dlq~\(configuration.serviceName)~\(m.topic)~\(m.partition)~\(m.offset)",
                                           source: "/" + configuration.serviceName, time: time, tenantID: tenant, subject: nil)
        return (topicNames.deadLetter, nil, tenant, value, CloudEventCodec.structuredContentType)
    }

    /// The recent-id chunks a batch appended to, and the chunks it evicted entirely (`since` nil: all chunks).
    private func recentChanges(_ recent: RecentEventIDs, since: Int64?, encoder: EntityEncoder,
                               into changes: inout StateEntities.Changes) {
        let total = recent.total
        let start = since ?? Swift.max(0, total - Int64(RecentEventIDs.capacity))
        guard total > start else { return }
        for k in RecentEventIDs.chunk(of: start)...RecentEventIDs.chunk(of: total - 1) {
            changes[Self.recentPrefix + String(k)] = try? encoder.encode(recent.ids(inChunk: k))
        }
        let forgotten = RecentEventIDs.lastForgottenChunk(total: total)
        let alreadyForgotten = since.map { RecentEventIDs.lastForgottenChunk(total: $0) } ?? -1
        if forgotten > alreadyForgotten {
            for k in (alreadyForgotten + 1)...forgotten { changes[Self.recentPrefix + String(k)] = .some(nil) }
        }
    }

    /// Whether the event was applied before (re-delivered). Takes the slot inout so that reading it copies nothing.
    private static func delivered(_ id: String, _ slot: inout Slot) -> Bool { slot.record.recent.contains(id) }

    static var recentPrefix: String { "~recent/" }

    /// Changelog key of one entity: `e:<length of tenant>:<tenant><entity>`.
    static func changelogKey(tenant: TenantID, entity: String) -> String {
        "e:\(tenant.utf8.count):\(tenant)\(entity)"
    }

    static func parseChangelogKey(_ key: String) -> (tenant: TenantID, entity: String)? {
        let bytes = Array(key.utf8)
        guard bytes.count > 2, bytes[0] == UInt8(ascii: "e"), bytes[1] == UInt8(ascii: ":"),
              let colon = bytes[2...].firstIndex(of: UInt8(ascii: ":")),
              let length = Int(String(decoding: bytes[2..<colon], as: UTF8.self)),
              colon + 1 + length <= bytes.count else { return nil }
        let tenantEnd = colon + 1 + length
        return (String(decoding: bytes[(colon + 1)..<tenantEnd], as: UTF8.self),
                String(decoding: bytes[tenantEnd...], as: UTF8.self))
    }

    /// A tenant's record from its stored entities.
    func record(from entities: [String: Data]) throws -> TenantRecord<Processor.State> {
        var stateEntities: [String: Data] = [:]
        var chunks: [Int64: [String]] = [:]
        for (key, value) in entities {
            if key.hasPrefix(Self.recentPrefix) {
                if let k = Int64(key.dropFirst(Self.recentPrefix.count)) {
                    chunks[k] = try JSONDecoder().decode([String].self, from: value)
                }
            } else {
                stateEntities[key] = value
            }
        }
        let state = try StateEntities.restore(Processor.State.self, from: stateEntities)
        var recent = RecentEventIDs()
        if let newest = chunks.keys.max() {
            let total = newest * RecentEventIDs.chunkSize + Int64(chunks[newest]!.count)
            recent = RecentEventIDs(total: total, lastIDs: chunks.keys.sorted().flatMap { chunks[$0]! })
        }
        return TenantRecord(state: state, recent: recent)
    }

    /// Produces what a crash left in the outbox, before consuming anything new.
    private func flushOutbox(store: StateStore, producer: KafkaProducer) async throws {
        while true {
            let rows = try await store.pendingOutbox()
            if rows.isEmpty { return }
            logger.info("producing outbox left from before", metadata: ["rows": "\(rows.count)"])
            try await settle(InFlightBatch(producing: rows, with: producer, offsets: [:], started: .now),
                             store: store, producer: producer, consumer: nil)
            try await deleteAcknowledgedOutbox(store: store)
        }
    }

    // MARK: partition ownership

    /// Restores newly assigned partitions (changelog first, local SQLite otherwise) and returns their offsets.
    fileprivate func assigned(_ partitions: [TopicPartition], store: StateStore) -> [TopicPartition: Int64] {
        rebalances.add(1, ordering: .releasing)
        committing.withLock { $0 }?.waitBlocking()
        let numbers = Set(partitions.map(\.partition))
        let fresh = shared.withLock { numbers.subtracting($0.owned) }
        for p in fresh.sorted() { restoreFromChangelog(p, store: store) }
        do {
            let offsets = try store.offsets(partitions: numbers)
            let stored = try store.entities(partitions: fresh)
            let legacy = try store.tenants(partitions: fresh).filter { stored[$0.tenant] == nil }
            var restored: [TenantID: Slot] = [:]
            for (tenant, t) in stored {
                do {
                    restored[tenant] = Slot(partition: t.partition, record: try record(from: t.entities))
                } catch {
                    logger.error("stored state unreadable; starting the tenant afresh", metadata: [
                        LoggingKeys.tenant: "\(tenant)", LoggingKeys.error: "\(error)"])
                }
            }
            let decoder = JSONDecoder()
            for t in legacy {
                if let record = try? decoder.decode(TenantRecord<Processor.State>.self, from: t.blob) {
                    restored[t.tenant] = Slot(partition: t.partition, record: record)
                } else {
                    logger.error("stored state unreadable; starting the tenant afresh", metadata: [LoggingKeys.tenant: "\(t.tenant)"])
                }
            }
            shared.withLock { s in
                s.owned.formUnion(numbers)
                for (tp, o) in offsets { s.offsets[tp] = o }
                for (tenant, slot) in restored { s.slots[tenant] = slot }
                s.wholeWritePending.formUnion(legacy.map(\.tenant))
            }
            published.withLock { views in
                for (tenant, slot) in restored { views[tenant] = (slot.partition, slot.record.state) }
            }
            logger.info("partitions owned", metadata: ["partitions": "\(numbers.sorted())", "restored_tenants": "\(restored.count)"])
            return offsets.filter { tp, _ in partitions.contains(tp) }
        } catch {
            logger.error("reading local state failed", metadata: [LoggingKeys.error: "\(error)"])
            return [:]
        }
    }

    fileprivate func revoked(_ partitions: [TopicPartition]) {
        rebalances.add(1, ordering: .releasing)
        committing.withLock { $0 }?.waitBlocking()
        let numbers = Set(partitions.map(\.partition))
        shared.withLock { s in
            s.owned.subtract(numbers)
            s.merger.drop(partitions: numbers)  // paused inputs of these partitions resume with the next batch
            s.slots = s.slots.filter { !numbers.contains($0.value.partition) }
            s.offsets = s.offsets.filter { !numbers.contains($0.key.partition) }
        }
        published.withLock { views in views = views.filter { !numbers.contains($0.value.partition) } }
    }

    /// Reads partition `p` of the changelog; if it holds anything, it replaces the local copy.
    private func restoreFromChangelog(_ p: Int32, store: StateStore) {
        do {
            let records = try PartitionReader.readAll(TopicPartition(topic: changelogTopic, partition: p),
                                                      common: configuration.kafka)
            guard !records.isEmpty else { return }
            var legacy: [String: Data] = [:]
            var entities: [TenantID: [String: Data]] = [:]
            var offsets: [TopicPartition: Int64] = [:]
            for r in records {
                guard let key = r.keyString else { continue }
                if let (tenant, entity) = Self.parseChangelogKey(key) {
                    entities[tenant, default: [:]][entity] = r.value.isEmpty ? nil : Data(r.value)
                } else if key.hasPrefix("t:") {
                    legacy[String(key.dropFirst(2))] = Data(r.value)
                } else if key.hasPrefix("o:"),
                          let map = try? JSONDecoder().decode([String: Int64].self, from: Data(r.value)) {
                    for (topic, o) in map { offsets[TopicPartition(topic: topic, partition: p)] = o }
                }
            }
            for tenant in entities.keys { legacy[tenant] = nil }
            try store.replacePartition(p, entities: entities, legacy: legacy.map { ($0.key, $0.value) }, offsets: offsets)
            logger.info("restored partition from changelog", metadata: [
                LoggingKeys.partition: "\(p)", "tenants": "\(entities.count + legacy.count)", "records": "\(records.count)",
            ])
        } catch {
            logger.warning("changelog not readable; using local state", metadata: [
                LoggingKeys.partition: "\(p)", LoggingKeys.error: "\(error)",
            ])
        }
    }

    /// One tenant's state as of the last decided batch, for HTTP views and tests; never waits for a batch.
    public func state(of tenant: TenantID) -> Processor.State? {
        published.withLock { $0[tenant]?.state }
    }

    /// An owned tenant's records archived by the `ArchiveLog` field `field` with keys (as the log gave them) in
    /// [from, to), in key order, or the last `limit` of them newest first; none for a tenant this instance does
    /// not own. Reads SQLite without waiting for a batch.
    public func archived(tenant: TenantID, field: String, from: String, to: String, newestFirst: Bool = false,
                         limit: Int = -1) throws -> [(key: String, value: Data)] {
        guard published.withLock({ $0[tenant] != nil }), let store = openStore.withLock({ $0 }) else { return [] }
        let prefix = StateEntities.archivePrefix + field + "/"
        return try store.archived(tenant: tenant, from: prefix + from, to: prefix + to, newestFirst: newestFirst, limit: limit)
            .map { (String($0.key.dropFirst(prefix.count)), $0.value) }
    }

    /// Tenants whose state this instance holds.
    public var tenants: [TenantID] { published.withLock { $0.keys.sorted() } }

    /// Writing a batch to SQLite failed: the process must restart from what SQLite holds.
    struct StateCommitFailed: Error {
        var underlying: any Error
    }

    private final class Listener: KafkaRebalanceListener, Sendable {
        let loop: EventLoop
        let store: StateStore
        init(loop: EventLoop, store: StateStore) {
            self.loop = loop
            self.store = store
        }
        func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
            loop.assigned(partitions, store: store)
        }
        func partitionsRevoked(_ partitions: [TopicPartition]) { loop.revoked(partitions) }
    }
}

/// The headers of every event the services produce, shared by their messages (two allocations per message otherwise).
private let cloudEventMessageHeaders = [KafkaHeader(key: "content-type", string: CloudEventCodec.structuredContentType)]
