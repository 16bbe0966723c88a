import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging
import Synchronization

extension EventLoop {
    /// A message the service cannot process, as a dead letter for `cc.deadletter` (an outbox row), logged with context.
    func deadLetter(_ m: ConsumedMessage, code: String, message: String)
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
}
