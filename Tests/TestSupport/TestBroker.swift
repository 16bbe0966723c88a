// The helpers shared with tools and benchmarks (`FreePort`, `LocalBroker`, `ProcessUsage`), for every test.
@_exported import DevelopmentSupport
import Foundation
import KafkaClient
import Synchronization

/// The Kafka-compatible broker integration tests talk to.
///
/// `make test` starts one and passes it in `CC_TEST_KAFKA_BROKERS`. Without it,
/// the first test that needs a broker starts the project's local Tansu
/// (`.venv/bin/tansu`, installed by `scripts/bootstrap`) on a free port.
public enum TestBroker {
    private static let started = Mutex<String?>(nil)

    public static var bootstrapServers: String {
        get throws {
            if let env = ProcessInfo.processInfo.environment["CC_TEST_KAFKA_BROKERS"], !env.isEmpty { return env }
            return try started.withLock { s in
                if let s { return s }
                let address = try startLocalBroker()
                s = address
                return address
            }
        }
    }

    public static var projectRoot: URL { LocalBroker.projectRoot() }

    /// A broker of the test's own (for tests that pause or stop it). Stop it with `LocalBroker.stop(pid:)`.
    public static func startPrivate() throws -> (address: String, pid: Int32) {
        let (address, process) = try LocalBroker.start(in: projectRoot)
        return (address, process.processIdentifier)
    }

    private static func startLocalBroker() throws -> String {
        let (address, process) = try LocalBroker.start(in: projectRoot)
        localBrokerPID = process.processIdentifier
        atexit { LocalBroker.stop(pid: localBrokerPID) }
        return address
    }
}

/// The broker this test process started, stopped when the process exits.
nonisolated(unsafe) private var localBrokerPID: pid_t = 0

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
