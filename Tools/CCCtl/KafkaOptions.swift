import ArgumentParser
import Foundation
import KafkaClient

/// Where the deployment's topics are: shared by the commands that read Kafka.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers, host:port[,host:port] (default: KAFKA_BROKERS, else 127.0.0.1:9092).")
    var brokers: String?

    @Option(help: "The deployment's topic name prefix (default: CC_TOPIC_PREFIX, else none).")
    var prefix: String?

    var bootstrapServers: String { brokers ?? ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "127.0.0.1:9092" }
    var topicPrefix: String { prefix ?? ProcessInfo.processInfo.environment["CC_TOPIC_PREFIX"] ?? "" }

    /// librdkafka properties from `KAFKA_PROPERTY_*` (a secured cluster's settings), as the services read them.
    static let properties = KafkaConfiguration.properties(fromEnvironment: ProcessInfo.processInfo.environment)

    var common: KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: bootstrapServers, clientID: "ccctl", connectTimeoutMilliseconds: 5_000,
                           overrides: Self.properties)
    }

    /// A consumer of its own group (it never commits).
    func consumer() throws -> KafkaConsumer {
        try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "ccctl-\(UUID().uuidString.prefix(8))"),
                          topics: [])
    }

    /// Reads a topic (name without prefix) from the beginning, or follows it, calling `each` for every message
    /// until it returns false.
    func read(_ name: String, follow: Bool, _ each: (ConsumedMessage) -> Bool) async throws {
        let topic = topicPrefix + name
        let c = try consumer()
        let md = try await c.metadata(topic: topic)
        guard let t = md.topics.first(where: { $0.name == topic }) else { fail("no topic \(topic)") }
        var assignment: [TopicPartition: Int64?] = [:]
        for p in 0..<t.partitionCount { assignment[TopicPartition(topic: topic, partition: Int32(p))] = 0 }
        try await c.assign(assignment)
        var idle = 0
        while true {
            let batch = try await c.poll(maxMessages: 1_000, timeout: .milliseconds(200))
            for m in batch where !each(m) { await c.close(); return }
            if batch.isEmpty {
                idle += 1
                // Without --follow, stop once nothing new came for a second (end offsets may lag on some brokers).
                if !follow && idle >= 5 { break }
            } else { idle = 0 }
        }
        await c.close()
    }
}
