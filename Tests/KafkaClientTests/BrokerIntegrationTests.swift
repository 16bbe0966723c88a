import Foundation
import KafkaClient
import Synchronization
import TestSupport
import Testing

/// The client against a real broker process (Tansu locally; any Kafka in CI setups).
/// These fail when the broker is down.
@Suite("KafkaClient against the broker", .serialized)
struct BrokerIntegrationTests {
    let common: KafkaConfiguration

    init() throws {
        common = KafkaConfiguration(bootstrapServers: try TestBroker.bootstrapServers, connectTimeoutMilliseconds: 5_000)
    }

    private func makeTopic(partitions: Int = 6) async throws -> String {
        let name = uniqueName("it")
        let admin = try KafkaAdmin(configuration: common)
        let result = try await admin.createTopics([TopicSpecification(name: name, partitions: partitions, replicationFactor: 1)])
        #expect(result[name] == .created)
        return name
    }

    /// A one-partition topic holding `count` messages whose values are 0, 1, 2, ...
    private func topic(withMessages count: Int) async throws -> String {
        let topic = try await makeTopic(partitions: 1)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        try await producer.send(batch: (0..<count).map { OutgoingMessage(topic: topic, key: "k", value: [UInt8($0)]) })
        return topic
    }

    private func consume(_ consumer: KafkaConsumer, until count: Int, timeout: Duration = .seconds(40))
        async throws -> [ConsumedMessage] {
        var got: [ConsumedMessage] = []
        let deadline = ContinuousClock.now + timeout
        while got.count < count && ContinuousClock.now < deadline {
            got += try await consumer.poll(timeout: .milliseconds(200))
        }
        return got
    }

    @Test("round trip with key and headers through the broker")
    func roundTrip() async throws {
        let topic = try await makeTopic()
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        let report = try await producer.send(OutgoingMessage(
            topic: topic, key: "tenant-1", value: Array(#"{"a":1}"#.utf8),
            headers: [KafkaHeader(key: "ce_type", string: "cc.test.v1")]))
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: uniqueName("g")),
                                         topics: [topic])
        let got = try await consume(consumer, until: 1)
        let m = try #require(got.first)
        #expect(m.keyString == "tenant-1")
        #expect(m.partition == report.partition && m.offset == report.offset)
        #expect(m.header("ce_type")?.stringValue == "cc.test.v1")
        #expect(String(decoding: m.value, as: UTF8.self) == #"{"a":1}"#)
        await consumer.close()
    }

    @Test("the same key always lands on the same partition")
    func keyPartitioning() async throws {
        let topic = try await makeTopic()
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        var partitions: Set<Int32> = []
        for i in 0..<20 {
            let r = try await producer.send(OutgoingMessage(topic: topic, key: "tenant-x", value: [UInt8(i)]))
            partitions.insert(r.partition)
        }
        #expect(partitions.count == 1)
    }

    @Test("two consumers in one group share the partitions with nothing lost or duplicated")
    func groupSharing() async throws {
        let topic = try await makeTopic(partitions: 6)
        let group = uniqueName("g")
        let total = 3000
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        try await producer.send(batch: (0..<total).map {
            OutgoingMessage(topic: topic, key: "tenant-\($0 % 37)", value: Array("\($0)".utf8))
        })
        let a = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [topic])
        let b = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [topic])
        let seen = Locked<[String: Int]>([:])
        let perConsumer = Locked<[Int]>([0, 0])
        let deadline = ContinuousClock.now + .seconds(60)
        // Both poll concurrently until everything is in and both had partitions.
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for (index, c) in [a, b].enumerated() {
                tasks.addTask {
                    while ContinuousClock.now < deadline {
                        let batch = try await c.poll(timeout: .milliseconds(100))
                        var offsets: [TopicPartition: Int64] = [:]
                        for m in batch {
                            seen.withLock { $0[String(decoding: m.value, as: UTF8.self), default: 0] += 1 }
                            offsets[m.topicPartition] = m.offset + 1
                        }
                        perConsumer.withLock { $0[index] += batch.count }
                        try await c.commit(offsets)
                        let done = seen.withLock { $0.count } == total
                        let bothAssigned = !a.assignment.isEmpty && !b.assignment.isEmpty
                        if done && bothAssigned { return }
                    }
                }
            }
            try await tasks.waitForAll()
        }
        let counts = seen.withLock { $0 }
        #expect(counts.count == total, "all messages consumed")
        #expect(counts.values.allSatisfy { $0 == 1 }, "no message consumed twice")
        #expect(a.assignment.isDisjoint(with: b.assignment))
        #expect(a.assignment.union(b.assignment).count == 6)
        await a.close()
        await b.close()
    }

    @Test("batches enqueued without waiting keep their order; another group's progress is read without joining it; ends of many partitions at once")
    func pipelinedProgress() async throws {
        let topic = try await makeTopic(partitions: 2)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        let first = producer.enqueue(batch: (0..<2).map { OutgoingMessage(topic: topic, partition: 0, key: Array("k".utf8), value: [UInt8($0)]) })
        let second = producer.enqueue(batch: [OutgoingMessage(topic: topic, partition: 0, key: Array("k".utf8), value: [2])])
        let last = try await second.wait()
        try await first.wait()
        #expect(last?.offset == 2, "the second batch lands after the first")
        #expect(first.settledAt != nil && second.isSettled)

        let group = uniqueName("g")
        let member = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [])
        let tp0 = TopicPartition(topic: topic, partition: 0), tp1 = TopicPartition(topic: topic, partition: 1)
        try await member.assign([tp0: 0])
        let got = try await consume(member, until: 3)
        #expect(got.map { $0.value } == [[0], [1], [2]])
        try await member.commit([tp0: 2])
        let reader = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [])
        let progress = try reader.committedNow([tp0, tp1])
        #expect(progress[tp0] == .some(2) && progress[tp1] == .some(nil), "\(progress)")
        let ends = reader.queryHighWatermarks([tp0, tp1])
        // Kafka answers 3; Tansu 0.6 the last record batch's base offset + 1 (here the producer may have joined
        // both batches into one): past every batch but the last, which is what the runtime relies on.
        #expect(ends[tp1] == 0 && (1...3).contains(ends[tp0] ?? -1), "\(ends)")
        await member.close()
        await reader.close()
    }

    @Test("offsets committed in the background reach the group in order, the last one queued right before close included")
    func backgroundCommit() async throws {
        let topic = try await topic(withMessages: 5)
        let group = uniqueName("g")
        let tp = TopicPartition(topic: topic, partition: 0)
        let member = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [])
        try await member.assign([tp: 0])
        #expect(try await consume(member, until: 5).count == 5)
        for next in 1...4 { member.commitInBackground([tp: Int64(next)]) }
        member.commitInBackground([:])  // nothing to send: no call at all
        member.commitInBackground([tp: 5])
        await member.close()
        let reader = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [])
        // The commits were sent without waiting for the broker: poll the group's view until it shows the last one.
        try await eventually(timeout: .seconds(10), "the group's committed offset to reach 5") {
            try reader.committedNow([tp])[tp] == .some(5)
        }
        await reader.close()
    }

    @Test("a restarted consumer resumes from its committed offset")
    func restartFromCommitted() async throws {
        let topic = try await topic(withMessages: 10)
        let group = uniqueName("g")

        let first = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [topic])
        let firstBatch = try await consume(first, until: 10)
        #expect(firstBatch.count == 10)
        // Process only the first four; store and commit the next offset to read.
        try first.store([TopicPartition(topic: topic, partition: 0): 4])
        try await first.commit()
        let committed = try await first.committed([TopicPartition(topic: topic, partition: 0)])
        #expect(committed[TopicPartition(topic: topic, partition: 0)] == 4)
        await first.close()

        let second = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: group), topics: [topic])
        let resumed = try await consume(second, until: 6)
        #expect(resumed.map(\.value) == (4..<10).map { [UInt8($0)] })
        await second.close()
    }

    @Test("on assignment the consumer starts at offsets the application supplies")
    func seekOnAssignment() async throws {
        struct StartAt: KafkaRebalanceListener {
            let offset: Int64
            let events: Locked<[String]>
            func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
                events.withLock { $0.append("assigned \(partitions.count)") }
                return Dictionary(uniqueKeysWithValues: partitions.map { ($0, offset) })
            }
            func partitionsRevoked(_ partitions: [TopicPartition]) {
                events.withLock { $0.append("revoked \(partitions.count)") }
            }
        }
        let topic = try await topic(withMessages: 10)
        let listener = StartAt(offset: 7, events: Locked([]))
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: uniqueName("g")),
                                         topics: [topic], rebalanceListener: listener)
        let got = try await consume(consumer, until: 3)
        #expect(got.map(\.offset) == [7, 8, 9])
        await consumer.close()
        #expect(listener.events.withLock { $0 } == ["assigned 1", "revoked 1"])
    }

    @Test("compacted topics can be created with their configuration")
    func compactedTopic() async throws {
        let admin = try KafkaAdmin(configuration: common)
        let name = uniqueName("changelog")
        let r = try await admin.createTopics([TopicSpecification(
            name: name, partitions: 6, replicationFactor: 1, config: ["cleanup.policy": "compact"])])
        #expect(r[name] == .created)
        let md = try await admin.metadata(topic: name)
        #expect(md.topics.first?.partitionCount == 6)
    }

    @Test("topics are created once; creating them again reports they existed")
    func admin() async throws {
        let admin = try KafkaAdmin(configuration: common)
        let name = uniqueName("admin")
        let spec = TopicSpecification(name: name, partitions: 4, replicationFactor: 1)
        let first = try await admin.createTopics([spec])
        #expect(first[name] == .created)
        let again = try await admin.createTopics([spec])
        #expect(again[name] == .alreadyExisted)
        let md = try await admin.metadata(topic: name)
        #expect(md.topics.first { $0.name == name }?.partitionCount == 4)
    }


    @Test("a partition is read to its true end, even when the broker's high watermark lags behind batches")
    func partitionReader() async throws {
        let topic = try await makeTopic(partitions: 2)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        // Separate sends make separate record batches (Tansu 0.6 reports the last batch's base offset + 1).
        for batch in 0..<4 {
            try await producer.send(batch: (0..<3).map {
                OutgoingMessage(topic: topic, partition: 1, key: Array("k".utf8), value: [UInt8(batch * 3 + $0)]) })
        }
        let tp = TopicPartition(topic: topic, partition: 1)
        let common = self.common
        let read = try await Task.detached { try PartitionReader.readAll(tp, common: common) }.value
        #expect(read.map(\.value) == (0..<12).map { [UInt8($0)] })
        let empty = try await Task.detached {
            try PartitionReader.readAll(TopicPartition(topic: topic, partition: 0), common: common)
        }.value
        #expect(empty.isEmpty)
    }
}
