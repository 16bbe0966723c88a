import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import TestSupport
import Testing

/// The operator's kcat (Debian's, installed by `scripts/bootstrap`) against the broker: it loads the librdkafka ≥ 2.2
/// the project builds (Debian's own 2.0 cannot talk to the broker) and reads what the services write, as
/// `docs/operations.md` shows.
@Suite("kcat")
struct KcatTests {
    @Test("kcat lists the topics and reads a contract event with its key and content-type header, as the operations guide shows")
    func readsEvents() async throws {
        let brokers = try TestBroker.bootstrapServers
        let topic = uniqueName("kcat")
        let common = KafkaConfiguration(bootstrapServers: brokers)
        _ = try await KafkaAdmin(configuration: common).createTopics([TopicSpecification(name: topic, partitions: 6, replicationFactor: 1)])
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        let event = TestEvents.callOffered(topic: topic, tenant: "tenant-k", id: "kcat-1", callID: "c-kcat")
        try await producer.send(batch: [event])
        let kcat = URL(fileURLWithPath: "/usr/bin/kcat")
        try #require(FileManager.default.isExecutableFile(atPath: kcat.path), "kcat missing: run scripts/bootstrap (make test does)")
        let listing = try await runProgram(kcat, ["-b", brokers, "-L", "-t", topic])
        #expect(listing.status == 0 && listing.output.contains("topic \"\(topic)\" with 6 partitions"), "\(listing.output)")
        let read = try await runProgram(kcat, ["-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                                               "-f", "%k %h %s\\n"])
        #expect(read.status == 0, "\(read.output)")
        let line = try #require(read.output.split(separator: "\n").first, "\(read.output)")
        #expect(line.hasPrefix("tenant-k content-type=application/cloudevents+json {"), "\(line)")
        #expect(line.contains(#""id":"kcat-1""#) && line.contains(#""type":"cc.call.offered.v1""#), "\(line)")
    }
}
