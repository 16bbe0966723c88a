import CallCenterDomain
import EventContract
import KafkaClient

/// Builds contract events as Kafka messages, the way the telephony layer or the admin app sends them.
public enum TestEvents {
    public static let t0 = Timestamp(seconds: 1_800_000_000)

    public static func message<P: EventPayload>(_ payload: P, topic: String, tenant: String, id: String,
                                                time: Timestamp = t0, subject: String? = nil, source: String = "/tests") -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: tenant,
                        value: CloudEventCodec.encode(payload, id: id, source: source, time: time, tenantID: tenant,
                                                      subject: subject),
                        headers: [KafkaHeader(key: "content-type", string: CloudEventCodec.structuredContentType)])
    }

    public static func callOffered(topic: String, tenant: String, id: String, callID: String, callCenter: String = "cc1",
                                   at: Timestamp = t0, source: String = "/tests") -> OutgoingMessage {
        message(TelephonyEvents.CallOffered(callId: callID, callCenterId: callCenter, callerNumber: "+81311112222",
                                            dialedNumber: "+81312345678", at: EventTime(at)),
                topic: topic, tenant: tenant, id: id, time: at, subject: callID, source: source)
    }

    /// A raw message with any value and key (for malformed input).
    public static func raw(topic: String, key: String, value: String, headers: [KafkaHeader] = []) -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: key, value: Array(value.utf8), headers: headers)
    }
}

/// Reads whole topics directly (partition assignment, no group), for assertions.
public enum TopicReader {
    /// Reads every partition from the start until `until` returns true for what was read, or the timeout passes.
    public static func read(_ topic: String, brokers: String, partitions: Int = 6, timeout: Duration = .seconds(60),
                            until: ([ConsumedMessage]) -> Bool) async throws -> [ConsumedMessage] {
        let consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(common: KafkaConfiguration(bootstrapServers: brokers),
                                                 groupID: uniqueName("reader")), topics: [])
        var assignment: [TopicPartition: Int64?] = [:]
        for p in 0..<partitions { assignment[TopicPartition(topic: topic, partition: Int32(p))] = 0 }
        try await consumer.assign(assignment)
        var all: [ConsumedMessage] = []
        let deadline = ContinuousClock.now + timeout
        while !until(all) && ContinuousClock.now < deadline {
            all += try await consumer.poll(maxMessages: 5_000, timeout: .milliseconds(100))
        }
        await consumer.close()
        return all
    }

    /// Decodes messages as contract events (skipping what does not decode).
    public static func decode(_ messages: [ConsumedMessage]) -> [DecodedEvent] {
        messages.compactMap { try? CloudEventCodec.decode(value: $0.value, headers: $0.headers.map { ($0.key, $0.value) }) }
    }
}
