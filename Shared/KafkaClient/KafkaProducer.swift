import CRdKafka
import Foundation
import Synchronization

/// An idempotent Kafka producer. `send` and `send(batch:)` return when the broker
/// has acknowledged every message (or throw the first delivery error).
///
/// A dedicated thread serves librdkafka's delivery reports; enqueueing runs on a
/// dedicated queue, so a full local queue never blocks Swift's cooperative pool.
public final class KafkaProducer: Sendable {
    private let handle: RdKafkaHandle
    private let tracker: DeliveryTracker
    private let produceQueue: BlockingQueue
    private let running: RunFlag
    private let pollStopped: DispatchSemaphore
    private let closed = RunFlag(false)
    public let configuration: ProducerConfiguration

    public init(configuration: ProducerConfiguration) throws {
        self.configuration = configuration
        let tracker = DeliveryTracker()
        self.tracker = tracker
        handle = try RdKafkaHandle(kind: .producer, properties: configuration.properties) { conf in
            rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(tracker).toOpaque())
            rd_kafka_conf_set_dr_msg_cb(conf, kafkaProducerDeliveryCallback)
        }
        produceQueue = BlockingQueue(label: "kafka.producer.produce")
        running = RunFlag(true)
        pollStopped = DispatchSemaphore(value: 0)
        let handle = self.handle
        let running = self.running
        let pollStopped = self.pollStopped
        let thread = Thread {
            while running.isSet {
                rd_kafka_poll(handle.pointer, 50)
            }
            pollStopped.signal()
        }
        thread.name = "kafka.producer.poll"
        thread.start()
    }

    deinit {
        running.set(false)
        pollStopped.wait()
        if !closed.isSet {
            rd_kafka_flush(handle.pointer, 1_000)
        }
        tracker.failAll(KafkaError(code: .closed, reason: "producer destroyed"))
        handle.destroy()
    }

    /// Checks that a broker answers, with a clear `.brokerUnreachable` error instead of a hang.
    public func metadata(timeout: Duration? = nil) async throws -> ClusterMetadata {
        let ms = timeout.map(Self.milliseconds) ?? configuration.common.connectTimeoutMilliseconds
        let handle = self.handle
        return try await produceQueue.run { try handle.metadata(timeoutMilliseconds: ms) }
    }

    /// Sends one message and returns where it landed.
    @discardableResult
    public func send(_ message: OutgoingMessage) async throws -> DeliveryReport {
        guard let report = try await enqueue([message]) else {
            throw KafkaError(code: .delivery, reason: "no delivery report")
        }
        return report
    }

    /// Sends messages in order and returns when all are acknowledged.
    public func send(batch messages: [OutgoingMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await enqueue(batch: messages).wait()
    }

    /// Hands messages to librdkafka in order, without waiting for the broker: batches enqueued one after
    /// the other keep that order (idempotent producer), and each one's acknowledgement can be awaited later.
    public func enqueue(batch messages: [OutgoingMessage]) -> PendingDelivery {
        let pending = PendingDelivery()
        guard !messages.isEmpty else {
            pending.complete(.success(nil))
            return pending
        }
        enqueue(messages) { pending.complete($0) }
        return pending
    }

    /// Waits until every message handed to librdkafka is delivered (or the timeout passes).
    public func flush(timeout: Duration = .seconds(10)) async throws {
        let handle = self.handle
        let ms = Self.milliseconds(timeout)
        let err = await produceQueue.run { rd_kafka_flush(handle.pointer, Int32(ms)) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "flush") }
    }

    /// Flushes; later sends fail with `.closed`.
    public func close(timeout: Duration = .seconds(10)) async throws {
        guard !closed.exchange(true) else { return }
        try await flush(timeout: timeout)
    }

    private func enqueue(_ messages: [OutgoingMessage]) async throws -> DeliveryReport? {
        let pending = PendingDelivery()
        enqueue(messages) { pending.complete($0) }
        return try await pending.wait()
    }

    /// Schedules the messages on the produce queue now (so calls keep their order); `completion` gets the outcome.
    private func enqueue(_ messages: [OutgoingMessage],
                         completion: @escaping @Sendable (Result<DeliveryReport?, any Error>) -> Void) {
        if closed.isSet { return completion(.failure(KafkaError(code: .closed, reason: "producer closed"))) }
        let handle = self.handle
        let tracker = self.tracker
        let running = self.running
        produceQueue.queue.async {
            let batchID = tracker.register(count: messages.count, completion: completion)
            for (index, m) in messages.enumerated() {
                if let error = Self.produce(m, batchID: batchID, handle: handle, running: running) {
                    tracker.abandon(batchID: batchID, count: messages.count - index, error: error)
                    return
                }
            }
        }
    }

    /// Hands one message to librdkafka, waiting while its local queue is full.
    private static func produce(_ m: OutgoingMessage, batchID: UInt, handle: RdKafkaHandle,
                                running: RunFlag) -> KafkaError? {
        let opaque = UnsafeMutableRawPointer(bitPattern: batchID)
        while true {
            let headers = RdKafkaHandle.makeHeaders(m.headers)
            let err: rd_kafka_resp_err_t = m.value.withUnsafeBytes { value in
                if let key = m.key {
                    return key.withUnsafeBytes { k in
                        cc_rd_kafka_produce(handle.pointer, m.topic, m.partition ?? RD_KAFKA_PARTITION_UA,
                                            value.baseAddress, value.count, k.baseAddress, k.count, headers, opaque)
                    }
                }
                return cc_rd_kafka_produce(handle.pointer, m.topic, m.partition ?? RD_KAFKA_PARTITION_UA,
                                           value.baseAddress, value.count, nil, 0, headers, opaque)
            }
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { return nil }
            if let headers { rd_kafka_headers_destroy(headers) }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL && running.isSet {
                // The poll thread drains delivery reports; give it a moment.
                usleep(1_000)
                continue
            }
            return KafkaError.from(err, context: "produce to \(m.topic)")
        }
    }

    static func milliseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return Int(s) * 1_000 + Int(atto / 1_000_000_000_000_000)
    }
}

/// librdkafka's delivery report callback: routes the report to the tracker via the opaques.
private func kafkaProducerDeliveryCallback(
    _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let opaque else { return }
    let tracker = Unmanaged<DeliveryTracker>.fromOpaque(opaque).takeUnretainedValue()
    let batchID = UInt(bitPattern: message.pointee._private)
    let topic = { message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "" }
    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        tracker.delivered(batchID: batchID) {
            DeliveryReport(topic: topic(), partition: message.pointee.partition, offset: message.pointee.offset)
        }
    } else {
        var error = KafkaError.from(message.pointee.err, context: "delivery to \(topic())")
        if error.code == .underlying { error = KafkaError(code: .delivery, reason: error.reason,
                                                          rdKafkaErrorCode: error.rdKafkaErrorCode) }
        tracker.failed(batchID: batchID, error: error)
    }
}
