import CallCenterDomain
import DevelopmentSupport
import EventContract
import Foundation
import KafkaClient

/// One benchmark run: its options, the broker (started here unless --brokers names one), the clients every step
/// shares, and the names its topics get.
final class Bench {
    /// Event time of the benchmark's calls (2027-01-15).
    static let t0 = Timestamp(seconds: 1_800_000_000)
    /// The benchmark's tenant (all of its events on one partition, as one busy tenant's are).
    static let tenant = "bench"

    let options: Options
    let brokers: String
    private let brokerProcess: Process?
    let common: KafkaConfiguration
    let admin: KafkaAdmin
    /// Writes the pre-produced inputs (5 ms linger: large batches).
    let producer: KafkaProducer
    /// Writes the latency step's offers as the telephony layer would: each as it happens (1 ms linger).
    let offerProducer: KafkaProducer
    /// Names this run's topics, groups and data directories apart from earlier runs on the same broker.
    let run = String(UUID().uuidString.prefix(6)).lowercased()
    var prefix: String { "bench-\(run)." }

    init(_ options: Options) throws {
        self.options = options
        if let brokers = options.brokers {
            self.brokers = brokers
            brokerProcess = nil
        } else {
            let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            guard FileManager.default.isExecutableFile(atPath: LocalBroker.executable(in: root).path) else {
                FileHandle.standardError.write(Data("""
                    cc-bench: no local broker at \(LocalBroker.executable(in: root).path): run it from the project \
                    root after `make bootstrap`, or pass --brokers HOST:PORT\n
                    """.utf8))
                exit(2)
            }
            let (address, process) = try LocalBroker.start(in: root)
            brokers = address
            brokerProcess = process
        }
        common = KafkaConfiguration(bootstrapServers: brokers, clientID: "cc-bench")
        admin = try KafkaAdmin(configuration: common)
        producer = try KafkaProducer(configuration: ProducerConfiguration(common: common, lingerMilliseconds: 5))
        offerProducer = try KafkaProducer(configuration: ProducerConfiguration(common: common, lingerMilliseconds: 1))
    }

    func stopBroker() { brokerProcess.map(LocalBroker.stop) }

    static func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// An event of the benchmark as the telephony layer or the admin app writes it: structured mode, keyed by tenant.
    static func event<P: EventPayload>(_ p: P, topic: String, tenant: String = Bench.tenant, id: String,
                                       time: Timestamp = t0) -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: tenant, value: CloudEventCodec.encode(p, id: id, source: "/bench", time: time,
                                                                                tenantID: tenant, subject: nil),
                        headers: [KafkaHeader(key: "content-type", string: CloudEventCodec.structuredContentType)])
    }

    /// Assigns all 6 partitions of `topic`, from the start or from the end.
    static func assignAll(_ c: KafkaConsumer, _ topic: String, fromEnd: Bool) async throws {
        var a: [TopicPartition: Int64?] = [:]
        for p in 0..<6 {
            let tp = TopicPartition(topic: topic, partition: Int32(p))
            a.updateValue(fromEnd ? try await c.watermarks(tp).high : 0, forKey: tp)
        }
        try await c.assign(a)
    }

    func createTopics(_ names: String...) async throws {
        try await admin.createTopics(names.map { TopicSpecification(name: $0, partitions: 6, replicationFactor: 1) })
    }
}
