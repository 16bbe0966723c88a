import CRdKafka
import Foundation
import Logging
import Synchronization

/// A consumer group member with manual offset management.
///
/// `poll` returns batches; every librdkafka call runs on the consumer's own
/// serial queue (never on Swift's cooperative pool), and rebalance callbacks
/// reach the `KafkaRebalanceListener` on that queue, inside `poll`.
public final class KafkaConsumer: Sendable {
    fileprivate let handle: RdKafkaHandle
    private let context: ConsumerContext
    private let queue: BlockingQueue
    private let closed = RunFlag(false)
    public let configuration: ConsumerConfiguration

    /// Joins `configuration.groupID` and subscribes to `topics` (may be empty when
    /// partitions are assigned explicitly with `assign`).
    public init(configuration: ConsumerConfiguration, topics: [String],
                rebalanceListener: (any KafkaRebalanceListener)? = nil,
                logger: Logger = Logger(label: "kafka.consumer")) throws {
        self.configuration = configuration
        let context = ConsumerContext(listener: rebalanceListener, logger: logger)
        self.context = context
        handle = try RdKafkaHandle(kind: .consumer, properties: configuration.properties) { conf in
            rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
            rd_kafka_conf_set_rebalance_cb(conf, kafkaConsumerRebalanceCallback)
            rd_kafka_conf_set_error_cb(conf, kafkaConsumerErrorCallback)
        }
        queue = BlockingQueue(label: "kafka.consumer")
        rd_kafka_poll_set_consumer(handle.pointer)
        if !topics.isEmpty {
            let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for t in topics { rd_kafka_topic_partition_list_add(list, t, RD_KAFKA_PARTITION_UA) }
            let err = rd_kafka_subscribe(handle.pointer, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                handle.destroy()
                throw KafkaError.from(err, context: "subscribe")
            }
        }
    }

    deinit {
        if !closed.exchange(true) {
            rd_kafka_consumer_close(handle.pointer)
        }
        handle.destroy()
    }

    /// Partitions currently assigned to this member, as the last rebalance left them.
    public var assignment: Set<TopicPartition> { context.assigned }

    /// The most recent client-level error librdkafka reported (e.g. all brokers down), with when.
    public var lastClientError: (error: KafkaError, at: ContinuousClock.Instant)? { context.lastError }

    /// Waits up to `timeout` for the first message, then takes what is already
    /// fetched, up to `maxMessages`. An empty batch means nothing arrived in time.
    public func poll(maxMessages: Int = 500, timeout: Duration = .milliseconds(100)) async throws -> [ConsumedMessage] {
        let handle = self.handle, context = self.context, closed = self.closed
        let ms = Int32(KafkaProducer.milliseconds(timeout))
        return try await queue.run {
            guard !closed.isSet else { throw KafkaError(code: .closed, reason: "consumer closed") }
            var batch: [ConsumedMessage] = []
            batch.reserveCapacity(min(maxMessages, 1024))
            var wait = ms
            while batch.count < maxMessages {
                guard let m = rd_kafka_consumer_poll(handle.pointer, wait) else { break }
                wait = 0
                defer { rd_kafka_message_destroy(m) }
                if m.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    try context.handleMessageError(m)
                    continue
                }
                batch.append(Self.convert(m))
            }
            return batch
        }
    }

    /// Marks offsets (the next offset to read, i.e. last processed + 1) for the next `commit()`.
    public func store(_ offsets: [TopicPartition: Int64]) throws {
        guard !offsets.isEmpty else { return }
        let list = Self.makeList(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_offsets_store(handle.pointer, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "offsets_store") }
    }

    /// Commits the given offsets (all stored offsets when nil); waits for the broker unless `waitForBroker` is
    /// false, in which case the commit is sent in the background (errors are then only logged by librdkafka).
    public func commit(_ offsets: [TopicPartition: Int64]? = nil, waitForBroker: Bool = true) async throws {
        let handle = self.handle
        let async: Int32 = waitForBroker ? 0 : 1
        try await queue.run {
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            if let offsets {
                if offsets.isEmpty { return }
                list = Self.makeList(offsets)
            }
            defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
            let err = rd_kafka_commit(handle.pointer, list, async)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
                var e = KafkaError.from(err, context: "commit")
                if e.code == .underlying { e = KafkaError(code: .commit, reason: e.reason, rdKafkaErrorCode: err.rawValue) }
                throw e
            }
        }
    }

    /// Sends the given offsets to the group in the background: queued behind this consumer's calls in order, without
    /// waiting for the queue's thread or the broker. For commits that only feed operators' lag views (errors are
    /// librdkafka's to log); awaiting each one cost the event loop a thread hop per batch.
    public func commitInBackground(_ offsets: [TopicPartition: Int64]) {
        guard !offsets.isEmpty else { return }
        // No closed check: a commit queued before `close()` runs before it (the queue is serial), and the last
        // batch's offsets must reach the group (downstream services read them to know what this one processed).
        // The block holds the consumer itself, so that deinit cannot destroy the handle before it runs.
        queue.queue.async { [self] in
            let list = Self.makeList(offsets)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            _ = rd_kafka_commit(handle.pointer, list, 1)
        }
    }

    /// The group's committed offsets for these partitions (nil where none is committed).
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws
        -> [TopicPartition: Int64?] {
        try await queue.run { try self.committedNow(partitions, timeout: timeout) }
    }

    /// As `committed`, blocking the caller (for code that cannot suspend). Works without joining the group,
    /// so a consumer that never subscribes can read another service's progress.
    public func committedNow(_ partitions: [TopicPartition], timeout: Duration = .seconds(2)) throws -> [TopicPartition: Int64?] {
        let list = Self.makeList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_committed(handle.pointer, list, Int32(KafkaProducer.milliseconds(timeout)))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "committed") }
        var result: [TopicPartition: Int64?] = [:]
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            guard e.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            result[TopicPartition(topic: String(cString: e.topic), partition: e.partition)] = e.offset >= 0 ? e.offset : nil
        }
        return result
    }

    /// Stops fetching these partitions (what is fetched already is dropped and fetched again after `resume`,
    /// from the position after the last message `poll` returned), or starts again.
    public func pause(_ partitions: [TopicPartition]) { setPaused(partitions, true) }
    public func resume(_ partitions: [TopicPartition]) { setPaused(partitions, false) }

    private func setPaused(_ partitions: [TopicPartition], _ paused: Bool) {
        guard !partitions.isEmpty else { return }
        let list = Self.makeList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = paused ? rd_kafka_pause_partitions(handle.pointer, list) : rd_kafka_resume_partitions(handle.pointer, list)
    }

    /// Assigns partitions explicitly (no group rebalancing), starting at the given offsets
    /// (nil: committed offset or `auto.offset.reset`). Used by tools that read topics directly.
    public func assign(_ partitions: [TopicPartition: Int64?]) async throws {
        let handle = self.handle, context = self.context
        try await queue.run {
            let list = Self.makeList(partitions.mapValues { $0 ?? Int64(RD_KAFKA_OFFSET_INVALID) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_assign(handle.pointer, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "assign") }
            context.setAssigned(Set(partitions.keys))
        }
    }

    /// Cluster metadata, or `.brokerUnreachable` when no broker answers in time.
    public func metadata(topic: String? = nil, timeout: Duration? = nil) async throws -> ClusterMetadata {
        try await handle.metadata(on: queue, topic: topic, timeout: timeout, defaultMilliseconds: configuration.common.connectTimeoutMilliseconds)
    }

    /// Low and high watermarks of a partition (the high one is the next offset to be written).
    public func watermarks(_ tp: TopicPartition, timeout: Duration = .seconds(5)) async throws -> (low: Int64, high: Int64) {
        try await handle.watermarks(on: queue, tp, timeout: timeout)
    }

    /// Leaves the group (revoking partitions through the listener). Later polls throw `.closed`.
    public func close() async {
        let handle = self.handle, closed = self.closed
        await queue.run {
            if !closed.exchange(true) { rd_kafka_consumer_close(handle.pointer) }
        }
    }

    static func convert(_ m: UnsafeMutablePointer<rd_kafka_message_t>) -> ConsumedMessage {
        let p = m.pointee
        let value = p.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: p.len)) } ?? []
        let key = p.key.map { Array(UnsafeRawBufferPointer(start: $0, count: p.key_len)) }
        var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(m, &tsType)
        return ConsumedMessage(
            topic: String(cString: rd_kafka_topic_name(p.rkt)), partition: p.partition, offset: p.offset,
            key: key, value: value, headers: RdKafkaHandle.headers(of: m),
            timestampMilliseconds: tsType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts)
    }

    static func makeList(_ offsets: [TopicPartition: Int64]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        for (tp, offset) in offsets {
            let e = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
            e.pointee.offset = offset
        }
        return list
    }
}

/// State shared with librdkafka's C callbacks (reached through the client opaque).
final class ConsumerContext: Sendable {
    let listener: (any KafkaRebalanceListener)?
    let logger: Logger
    private let state = Mutex<(assigned: Set<TopicPartition>, lastError: (KafkaError, ContinuousClock.Instant)?)>(([], nil))

    init(listener: (any KafkaRebalanceListener)?, logger: Logger) {
        self.listener = listener
        self.logger = logger
    }

    var assigned: Set<TopicPartition> { state.withLock { $0.assigned } }
    var lastError: (error: KafkaError, at: ContinuousClock.Instant)? {
        state.withLock { s in s.lastError.map { (error: $0.0, at: $0.1) } }
    }
    func setAssigned(_ set: Set<TopicPartition>) { state.withLock { $0.assigned = set } }
    func recordError(_ e: KafkaError) { state.withLock { $0.lastError = (e, .now) } }

    /// A message carrying an error instead of data: fatal ones are thrown, the rest logged.
    func handleMessageError(_ m: UnsafeMutablePointer<rd_kafka_message_t>) throws {
        let err = m.pointee.err
        if err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return }
        let topic = m.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "-"
        let error = KafkaError.from(err, context: "consume \(topic)[\(m.pointee.partition)]")
        if err == RD_KAFKA_RESP_ERR__FATAL {
            throw KafkaError(code: .consume, reason: error.reason, rdKafkaErrorCode: err.rawValue)
        }
        recordError(error)
        logger.warning("consumer error", metadata: ["error": "\(error.reason)"])
    }

    func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                   _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let partitions = RdKafkaHandle.partitions(of: list)
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let offsets = listener?.partitionsAssigned(partitions) ?? [:]
            for i in 0..<Int(list.pointee.cnt) {
                let e = list.pointee.elems[i]
                let tp = TopicPartition(topic: String(cString: e.topic), partition: e.partition)
                if let o = offsets[tp] { list.pointee.elems[i].offset = o }
            }
            if cooperative {
                if let e = rd_kafka_incremental_assign(rk, list) { rd_kafka_error_destroy(e) }
                state.withLock { $0.assigned.formUnion(partitions) }
            } else {
                _ = rd_kafka_assign(rk, list)
                state.withLock { $0.assigned = Set(partitions) }
            }
            logger.info("partitions assigned", metadata: ["partitions": "\(partitions.map(\.description).sorted())"])
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            listener?.partitionsRevoked(partitions)
            if cooperative {
                if let e = rd_kafka_incremental_unassign(rk, list) { rd_kafka_error_destroy(e) }
                state.withLock { $0.assigned.subtract(partitions) }
            } else {
                _ = rd_kafka_assign(rk, nil)
                state.withLock { $0.assigned = [] }
            }
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.description).sorted())"])
        default:
            logger.error("rebalance error", metadata: ["error": "\(String(cString: rd_kafka_err2str(err)))"])
            _ = rd_kafka_assign(rk, nil)
            state.withLock { $0.assigned = [] }
        }
    }
}

private func kafkaConsumerRebalanceCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let list, let opaque else { return }
    Unmanaged<ConsumerContext>.fromOpaque(opaque).takeUnretainedValue().rebalance(rk, err, list)
}

private func kafkaConsumerErrorCallback(
    _ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let opaque else { return }
    let context = Unmanaged<ConsumerContext>.fromOpaque(opaque).takeUnretainedValue()
    let error = KafkaError.from(rd_kafka_resp_err_t(rawValue: err), context: reason.map { String(cString: $0) } ?? "client")
    context.recordError(error)
    context.logger.warning("kafka client error", metadata: ["error": "\(error.reason)"])
}

extension KafkaConsumer {
    /// The partition's end offset as last seen in a fetch response (no request); nil when not known yet.
    public func cachedHighWatermark(_ tp: TopicPartition) -> Int64? {
        var low: Int64 = 0, high: Int64 = 0
        guard rd_kafka_get_watermark_offsets(handle.pointer, tp.topic, tp.partition, &low, &high)
                == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return high
    }

    /// `queryHighWatermarks` on the consumer's own queue, so that no caller blocks while the broker answers.
    public func highWatermarks(_ partitions: [TopicPartition], timeout: Duration = .seconds(2)) async -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        return await queue.run { self.queryHighWatermarks(partitions, timeout: timeout) }
    }

    /// Asks the broker for the partitions' end offsets now (blocking; one request each, all at once); partitions
    /// it could not tell are left out. Unlike `cachedHighWatermark`, this sees messages produced since the last
    /// fetch response. (One batched `rd_kafka_offsets_for_times` with the "end" timestamp was tried: against
    /// Tansu it did not confirm reliably, and the four-service crash test failed with it.)
    public func queryHighWatermarks(_ partitions: [TopicPartition], timeout: Duration = .seconds(2)) -> [TopicPartition: Int64] {
        let handle = self.handle
        let ms = KafkaProducer.milliseconds(timeout)
        guard partitions.count > 1 else {
            guard let tp = partitions.first, let high = try? handle.watermarks(tp, timeoutMilliseconds: ms).high else { return [:] }
            return [tp: high]
        }
        // librdkafka's query blocks its caller for a round trip: one thread per partition overlaps them.
        let result = Mutex<[TopicPartition: Int64]>([:])
        let group = DispatchGroup()
        for tp in partitions {
            group.enter()
            let thread = Thread {
                if let high = try? handle.watermarks(tp, timeoutMilliseconds: ms).high { result.withLock { $0[tp] = high } }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return result.withLock { $0 }
    }

    /// Consumer lag of the assigned partitions: the broker's last-known end minus the
    /// given next offsets to read. Uses watermarks cached from fetch responses (no request).
    public func lag(nextOffsets: [TopicPartition: Int64]) -> Int64 {
        var total: Int64 = 0
        for tp in assignment {
            var low: Int64 = 0, high: Int64 = 0
            guard rd_kafka_get_watermark_offsets(handle.pointer, tp.topic, tp.partition, &low, &high)
                    == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { continue }
            total += max(0, high - (nextOffsets[tp] ?? low))
        }
        return total
    }
}
