import Foundation
import KafkaClient
@testable import ServiceRuntime
import TestSupport
import Testing

/// Waiting for an upstream service's progress (issue 10), against the broker: its group's committed offsets.
@Suite("Upstream progress", .serialized)
struct UpstreamTrackerTests {
    @Test("a check samples the upstream's input ends once and finishes when its committed offsets reach them, under steady traffic too")
    func followsCommittedOffsets() async throws {
        let common = KafkaConfiguration(bootstrapServers: try TestBroker.bootstrapServers)
        let topic = uniqueName("up")
        _ = try await KafkaAdmin(configuration: common).createTopics([TopicSpecification(name: topic, partitions: 1, replicationFactor: 1)])
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        func produce(_ n: Int) async throws {
            for _ in 0..<n { try await producer.send(OutgoingMessage(topic: topic, partition: 0, key: Array("t".utf8), value: [1])) }
        }
        try await produce(3)
        let group = uniqueName("g")
        let tp = TopicPartition(topic: topic, partition: 0)
        let reader = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [])
        let tracker = UpstreamTracker(readers: [.init(service: "upstream", topics: [topic], consumer: reader)], partitionCount: 1)
        func advance(at now: ContinuousClock.Instant) async -> [Int32: ContinuousClock.Instant] {
            await tracker.advance([0], now: now, ends: { await reader.highWatermarks($0) }, fetched: { _ in nil })
        }
        let t0 = ContinuousClock.now
        #expect(await advance(at: t0) == [0: t0], "a group that has committed nothing is not deployed: not waited for")

        let upstream = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [])
        try await upstream.commit([tp: 1])
        let t1 = ContinuousClock.now
        #expect(await advance(at: t1).isEmpty, "the upstream has processed 1 of 3")
        try await produce(2)  // traffic goes on: the check still waits for the 3 that were there when it started
        try await upstream.commit([tp: 3])
        #expect(await advance(at: .now) == [0: t1], "caught up with what was there at the start of the check")
        #expect(await advance(at: .now).isEmpty, "a new check: 2 more messages are not processed yet")
        await upstream.close()
        await reader.close()
    }
}
