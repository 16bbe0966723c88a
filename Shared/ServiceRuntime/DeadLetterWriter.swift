import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging

/// Turns a message the service cannot process into a dead letter for `cc.deadletter` (an outbox message), logged with
/// context and counted.
struct DeadLetterWriter: Sendable {
    let service: String
    let topic: String
    let clock: @Sendable () -> Timestamp
    let logger: Logger
    let metrics: ServiceMetrics?

    func message(_ m: ConsumedMessage, code: String, message: String) -> StateStore.OutboxMessage {
        metrics?.deadLettered.increment()
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
            payloadBase64: Data(m.value.prefix(keep)).base64EncodedString(), service: service, at: EventTime(time))
        let value = CloudEventCodec.encode(payload, id: "dlq~\(service)~\(m.topic)~\(m.partition)~\(m.offset)",
                                           source: "/" + service, time: time, tenantID: tenant, subject: nil)
        return (topic, nil, tenant, value, CloudEventCodec.structuredContentType)
    }
}
