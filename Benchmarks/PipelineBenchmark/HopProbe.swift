import Foundation
import KafkaClient

/// `cc-bench --hop-probe BROKERS TOPIC N`: diagnostic. N pairs of 330-byte messages, one pair per millisecond, to
/// partition 0 of TOPIC (6 partitions, created if missing), read back by a consumer assigned all 6 from the start
/// (fetch wait 2 ms); prints one hop's latency percentiles. Producer and consumer only: no CloudEvents, no task per
/// message. It showed that local Tansu answers more slowly as a partition grows.
enum HopProbe {
    @Sendable static func nowMicroseconds() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000 + Int64(t.tv_nsec) / 1_000
    }

    static func run(brokers: String, topic: String, count n: Int) async throws {
        let common = KafkaConfiguration(bootstrapServers: brokers, clientID: "cc-bench-hop",
                                        overrides: KafkaConfiguration.properties(fromEnvironment: ProcessInfo.processInfo.environment))
        try await KafkaAdmin(configuration: common).createTopics([TopicSpecification(name: topic, partitions: 6, replicationFactor: 1)])
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common, lingerMilliseconds: 1))
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "hop-\(topic)",
                                                                              fetchMaxWaitMilliseconds: 2), topics: [])
        try await Bench.assignAll(consumer, topic, fromEnd: false)
        let reading = Task.detached { () -> [Int64] in
            var result: [Int64] = []
            while result.count < 2 * n {
                for m in try await consumer.poll(maxMessages: 2_000, timeout: .milliseconds(50)) where m.value.count == 330 {
                    let sent = m.value.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
                    if sent > 0 { result.append(nowMicroseconds() - sent) }
                }
            }
            return result
        }
        var next = ContinuousClock.now
        var pending: [PendingDelivery] = []
        for _ in 0..<n {
            var value = [UInt8](repeating: 1, count: 330)
            let t = nowMicroseconds()
            value.withUnsafeMutableBytes { $0.storeBytes(of: t, as: Int64.self) }
            pending.append(producer.enqueue(batch: [OutgoingMessage(topic: topic, partition: 0, key: nil, value: value),
                                                    OutgoingMessage(topic: topic, partition: 0, key: nil, value: value)]))
            pending.removeAll { $0.isSettled }
            next = next + .milliseconds(1)
            try await Task.sleep(until: next, clock: .continuous)
        }
        let l = try await reading.value.sorted()
        func ms(_ p: Double) -> String { String(format: "%.2f", Double(l[min(l.count - 1, Int(Double(l.count) * p))]) / 1000) }
        print("hop probe (KafkaClient, \(l.count) messages): p50 \(ms(0.5)) p90 \(ms(0.9)) p99 \(ms(0.99)) p99.9 \(ms(0.999)) max \(ms(1)) ms")
    }
}
