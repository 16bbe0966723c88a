import CRdKafka

/// librdkafka's in-process mock cluster, for fast tests without a broker.
/// Clients connect to it through `bootstrapServers` like to a real cluster.
public final class MockKafkaCluster: Sendable {
    private let handle: RdKafkaHandle
    public let bootstrapServers: String

    public init(brokers: Int = 1) throws {
        handle = try RdKafkaHandle(kind: .producer, properties: [
            "test.mock.num.brokers": String(brokers),
            "log_level": "3",
        ])
        guard let cluster = rd_kafka_handle_mock_cluster(handle.pointer),
              let servers = rd_kafka_mock_cluster_bootstraps(cluster) else {
            handle.destroy()
            throw KafkaError(code: .configuration, reason: "mock cluster unavailable")
        }
        bootstrapServers = String(cString: servers)
    }

    /// Creates a topic on the mock cluster.
    public func createTopic(_ name: String, partitions: Int) throws {
        guard let cluster = rd_kafka_handle_mock_cluster(handle.pointer) else { return }
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), 1)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "mock topic \(name)") }
    }

    deinit { handle.destroy() }
}
