import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging
import Prometheus
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
///
/// The parts, one file each: this file (the loop's state, the poll loop), `EventLoop+Views` (what HTTP views read), `EventLoop+Batch`
/// (one batch through the loop), `BatchDecider` (deciding it, without I/O), `EventLoop+Outbox` (writing and producing
/// it), `EventLoop+PolledBatch` (decoding), `TenantChangelog` (how a tenant is stored), `DeadLetterWriter`, and
/// `EventLoop+Partitions` (ownership and restore). `docs/architecture.md` shows them.
public final class EventLoop<Processor: EventProcessor>: Service, Sendable {
    public typealias Clock = @Sendable () -> Timestamp

    typealias Slot = TenantTable<Processor.State>.Slot

    struct Shared: Sendable {
        var tenants = TenantTable<Processor.State>()
        /// Consumed events waiting for their turn in event-time order across the input topics.
        var merger: InputMerger
        /// Input topic-partitions paused because the merger holds many of their events.
        var paused: Set<TopicPartition> = []
        /// The last batch stopped at `maxBatch` released events: more may be ready without fetching anything.
        var releasedToLimit = false
        /// Partitions that released without waiting since the last warning, and when that was.
        var gaveUpSinceWarning: Set<Int32> = []
        var lastGaveUpWarning: ContinuousClock.Instant?
        /// Changelog records of tenants a restore upgraded from an older format (`StoreUpgrade`): they go out with
        /// the next batch, before its own records.
        var upgradedChangelog: [StateStore.OutboxMessage] = []
    }

    let processor: Processor
    let configuration: ServiceConfiguration
    let health: HealthState
    let metrics: ServiceMetrics
    let logger: Logger
    let clock: Clock
    let tickInterval: Duration?
    let maxBatch: Int
    let shared: Mutex<Shared>
    /// What HTTP views read: each owned tenant's state as of the last decided batch. Published after each
    /// batch, so that a view never waits for a batch in progress (the batch holds `shared` while deciding).
    let published = Mutex<[TenantID: (partition: Int32, state: Processor.State)]>([:])
    let stopping = Atomic<Bool>(false)
    /// Rebalance callbacks so far (assigned or revoked): a polled batch remembers the count it was polled under.
    let rebalances = Atomic<Int>(0)
    /// The batch being written to SQLite while the next one is decided (at most one).
    let committing = Mutex<PendingCommit?>(nil)
    /// The last outbox row the broker acknowledged whose deletion waits for the next batch's transaction.
    let acknowledgedOutbox = Mutex<Int64?>(nil)
    /// The store, once open: HTTP views read archived records from it.
    let openStore = Mutex<StateStore?>(nil)

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
        eventTimeLimit = EventTimeLimit(maximumAheadSeconds: configuration.maximumEventAheadSeconds)
        decider = BatchDecider(processor: processor, service: configuration.serviceName, topicNames: names,
                               deadLetters: DeadLetterWriter(service: configuration.serviceName, topic: names.deadLetter,
                                                             clock: clock, logger: logger, metrics: metrics),
                               cpu: metrics.phaseCPU)
        channelGauges = processor.channelUsage(state: processor.initialState(tenant: "")) == nil ? nil : metrics.channelGauges()
        shared = Mutex(Shared(merger: InputMerger(topics: topics,
                                                  maxIdle: .milliseconds(configuration.maxTaskIdleMilliseconds),
                                                  maxBuffered: configuration.mergeBufferEvents,
                                                  confirmsEnds: configuration.confirmEndOffsets ?? processor.confirmsEndOffsets,
                                                  followsUpstream: !processor.upstream.isEmpty)))
        if channelGauges != nil {
            metrics.refreshBeforeScrape { [weak self] in self?.updateChannelGauges() }
        }
    }

    public static func wallClock() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
    }

    /// Built once: every output names its topic.
    let topicNames: TopicNames
    /// The channel ledger's gauges, for a service that holds it (`EventProcessor.channelUsage`).
    let channelGauges: (highestShare: Prometheus.Gauge, atLimit: Prometheus.Gauge)?
    /// Decides each batch (synchronous, inside `shared`'s lock).
    let decider: BatchDecider<Processor>
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

    /// What the poll loop carries from one poll to the next.
    struct LoopProgress {
        var first = true
        var lastTick = ContinuousClock.now
        /// Committed batches whose outputs are with the producer.
        var inFlight: [InFlightBatch] = []
        /// Polled batches not processed yet, oldest first. While the input is backlogged (full polls), one batch is
        /// decoded off the loop while the loop polls the next and decides the one before it; otherwise each batch
        /// is processed as soon as it is polled. Kept across a producing failure (they are not processed yet).
        var polled: [PolledBatch] = []
    }

    /// The store and the Kafka clients of a running loop.
    struct Connections {
        let store: StateStore
        /// Replaced when it can never deliver again (`recover(fromProducing:)`).
        var producer: KafkaProducer
        let consumer: KafkaConsumer
        let upstreams: UpstreamTracker
    }

    public func run() async throws {
        health.markNotReady("waiting for the broker", .consumer)
        while !health.isReady(.broker) {
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let store = try StateStore(directory: configuration.dataDirectory)
        openStore.withLock { $0 = store }
        try StoreUpgrade.run(store, as: Processor.State.self, changelogTopic: changelogTopic, logger: logger)
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
        var connections = Connections(store: store, producer: producer, consumer: consumer, upstreams: upstreams)
        var failure: (any Error)?
        await withGracefulShutdownHandler {
            failure = await consume(&connections)
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
        }
        // The batch in hand is committed; hand the partitions back and flush.
        await consumer.close()
        try? await connections.producer.close(timeout: .seconds(5))
        logger.info("consumer stopped")
        if let failure { throw failure }
    }

    /// Polls and processes until stopped, then settles what is in flight; the error that ended it, if any.
    func consume(_ c: inout Connections) async -> (any Error)? {
        var progress = LoopProgress()
        var failure: (any Error)?
        while !stopping.load(ordering: .acquiring) {
            do {
                try await pollAndProcess(c, &progress)
            } catch let fatal as StateCommitFailed {
                // In-memory state is ahead of SQLite: stop, and let the restart recover from SQLite.
                logger.critical("state could not be written; exiting", metadata: [LoggingKeys.error: "\(fatal.underlying)"])
                failure = fatal
                break
            } catch {
                if let fatal = await recover(fromProducing: error, &c, &progress) {
                    failure = fatal
                    break
                }
            }
        }
        do {
            if failure == nil { try await collectCommit(into: &progress.inFlight) }
            for batch in progress.inFlight { try await settle(batch, store: c.store, producer: c.producer, consumer: c.consumer) }
            try await deleteAcknowledgedOutbox(store: c.store)
        } catch {
            logger.warning("outputs of the last batches not acknowledged; they go out on the next start",
                           metadata: [LoggingKeys.error: "\(error)"])
        }
        return failure
    }

    /// One poll, and the batches it lets the loop decide.
    func pollAndProcess(_ c: Connections, _ progress: inout LoopProgress) async throws {
        // While a batch's outputs are out, come back soon to settle it even if nothing new arrives.
        // (And while events wait for their turn across inputs, to release them soon after it comes.)
        let (holding, more) = shared.withLock { ($0.merger.buffered > 0, $0.releasedToLimit) }
        let wait: Duration = more || !progress.polled.isEmpty ? .zero
            : progress.inFlight.isEmpty && !holding ? .milliseconds(100) : .milliseconds(5)
        let messages = try await c.consumer.poll(maxMessages: maxBatch, timeout: wait)
        if progress.first {
            progress.first = false
            health.markReady(.consumer)
        }
        let batch = PolledBatch(messages, rebalancesSeen: rebalances.load(ordering: .acquiring), timeLimit: eventTimeLimit, cpu: metrics.phaseCPU)
        let backlogged = messages.count >= maxBatch
        if backlogged { batch.startDecoding() }
        progress.polled.append(batch)
        while progress.polled.count > (backlogged ? 1 : 0) {
            var ticks = false
            if let interval = tickInterval, ContinuousClock.now - progress.lastTick >= interval {
                ticks = true
                progress.lastTick = .now
            }
            try await process(progress.polled.removeFirst(), tickTimers: ticks, inFlight: &progress.inFlight, c)
        }
        metrics.consumerLag.set(Double(c.consumer.lag(nextOffsets: shared.withLock { $0.tenants.offsets })))
    }

    /// State and outbox are committed; producing failed (e.g. the broker is away). Consumes nothing new until the
    /// outbox is out, so that outputs keep their order. Returns the error to stop with when a batch being written
    /// could not be stored.
    func recover(fromProducing error: any Error, _ c: inout Connections, _ progress: inout LoopProgress) async -> (any Error)? {
        progress.inFlight = []
        // A batch still being written goes out with the rest of the outbox.
        if let pending = committing.withLock({ $0 }) {
            do {
                _ = try await pending.value()
                committing.withLock { $0 = nil }
            } catch {
                logger.critical("state could not be written; exiting", metadata: [LoggingKeys.error: "\(error)"])
                return StateCommitFailed(underlying: error)
            }
        }
        health.markNotReady("producing failed: \(error)", .consumer)
        logger.error("producing failed; retrying the outbox", metadata: [LoggingKeys.error: "\(error)"])
        while !stopping.load(ordering: .acquiring) {
            try? await Task.sleep(for: .seconds(1))
            do {
                try await flushOutbox(store: c.store, producer: c.producer)
                break
            } catch let error as KafkaError where error.isFatalForProducer {
                // The outbox in SQLite is the truth: a new producer sends it again, with the same event ids.
                logger.warning("producer fenced or failed for good; starting a new one", metadata: [LoggingKeys.error: "\(error)"])
                guard let fresh = try? KafkaProducer(configuration: configuration.producer) else { continue }
                try? await c.producer.close(timeout: .seconds(1))
                c.producer = fresh
            } catch {
                logger.warning("outbox still not produced", metadata: [LoggingKeys.error: "\(error)"])
            }
        }
        progress.first = true
        return nil
    }

    /// Writing a batch to SQLite failed: the process must restart from what SQLite holds.
    struct StateCommitFailed: Error {
        var underlying: any Error
    }

    final class Listener: KafkaRebalanceListener, Sendable {
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
let cloudEventMessageHeaders = [KafkaHeader(key: "content-type", string: CloudEventCodec.structuredContentType)]
