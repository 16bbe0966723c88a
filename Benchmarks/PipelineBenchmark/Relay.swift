import Foundation
import KafkaClient

/// `cc-bench --relay BROKERS IN OUT`: the raw relay of the latency baseline, run as its own process like a service
/// (in the benchmark's process it competed with the offering loop for the two cooperative threads and stalled).
/// Consumes IN and produces to OUT until killed, with the services' client settings: batches handed to the
/// producer without waiting, at most 8 unacknowledged.
enum Relay {
    static func run(brokers: String, input: String, output: String) async throws -> Never {
        let common = KafkaConfiguration(bootstrapServers: brokers, clientID: "cc-bench-relay")
        let fetchWait = ProcessInfo.processInfo.environment["CC_FETCH_WAIT_MS"].flatMap(Int.init) ?? 10
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "relay-\(input)",
                                                                              fetchMaxWaitMilliseconds: fetchWait), topics: [])
        try await Bench.assignAll(consumer, input, fromEnd: false)
        let linger = ProcessInfo.processInfo.environment["CC_LINGER_MS"].flatMap(Int.init) ?? 0
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common, lingerMilliseconds: linger))
        var unacknowledged: [PendingDelivery] = []
        while true {
            let batch = try await consumer.poll(maxMessages: 2_000, timeout: .milliseconds(5))
            unacknowledged.removeAll { $0.isSettled }
            if batch.isEmpty { continue }
            unacknowledged.append(producer.enqueue(batch: batch.map {
                OutgoingMessage(topic: output, key: $0.key, value: $0.value, headers: $0.headers) }))
            if unacknowledged.count > 8 { try await unacknowledged.removeFirst().wait() }
        }
    }
}
