import CallCenterDomain
import EventContract
import Foundation
import KafkaClient

/// One or more real service processes on their own topic prefix, with helpers to
/// publish contract events and read what the services publish.
public final class ServiceHarness: @unchecked Sendable {
    public let brokers: String
    public let prefix: String
    public let directory: URL
    public private(set) var services: [String: ServiceProcess] = [:]
    private let producer: KafkaProducer
    private var sequence = 0

    public init(brokers: String? = nil) throws {
        self.brokers = try brokers ?? TestBroker.bootstrapServers
        prefix = uniqueName("h") + "."
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("harness"))
        // Outage tests pause the broker for 30 s while publishing: the test's events must wait
        // the outage out (librdkafka retries them) rather than time out at the default 30 s.
        producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: self.brokers),
                                                                          messageTimeoutMilliseconds: 120_000))
    }

    public func topic(_ name: String) -> String { prefix + name }

    /// Starts a service and waits until it is ready.
    @discardableResult
    public func start(_ name: String, environment: [String: String] = [:]) async throws -> ServiceProcess {
        let s = try ServiceProcess(name, environment: [
            "KAFKA_BROKERS": brokers, "CC_TOPIC_PREFIX": prefix,
            "CC_DATA_DIR": directory.appendingPathComponent(name).path,
        ].merging(environment) { _, new in new }, httpPort: try FreePort.find(), logDirectory: directory)
        services[name] = s
        try await eventually(timeout: .seconds(60), "\(name) ready") { await s.get("/readyz")?.status == 200 }
        return s
    }

    public func stopAll() async {
        for s in services.values { s.signal(SIGTERM) }
        for s in services.values { _ = await s.waitForExit(timeout: .seconds(10)) }
    }

    /// Publishes events (in order) for a tenant; returns their ids.
    @discardableResult
    public func publish(_ topic: String, tenant: String, _ payloads: [any EventPayload], time: Timestamp = TestEvents.t0,
                        subject: String? = nil) async throws -> [String] {
        var ids: [String] = []
        var messages: [OutgoingMessage] = []
        for p in payloads {
            sequence += 1
            let id = "test-\(sequence)"
            ids.append(id)
            func make<P: EventPayload>(_ p: P) -> OutgoingMessage {
                TestEvents.message(p, topic: self.topic(topic), tenant: tenant, id: id, time: time, subject: subject)
            }
            messages.append(make(p))
        }
        try await producer.send(batch: messages)
        return ids
    }

    /// Publishes raw bytes (malformed input).
    public func publishRaw(_ topic: String, key: String, value: String) async throws {
        try await producer.send(TestEvents.raw(topic: self.topic(topic), key: key, value: value))
    }

    /// Reads a topic's decoded events until `until` holds (or the timeout passes).
    public func read(_ topic: String, timeout: Duration = .seconds(30),
                     until: @escaping ([DecodedEvent]) -> Bool) async throws -> [DecodedEvent] {
        var decoded: [DecodedEvent] = []
        _ = try await TopicReader.read(self.topic(topic), brokers: brokers, timeout: timeout) { messages in
            decoded = TopicReader.decode(messages)
            return until(decoded)
        }
        return decoded
    }
}
