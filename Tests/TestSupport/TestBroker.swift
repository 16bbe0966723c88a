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

    public static var projectRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// A broker of the test's own (for tests that pause or stop it). Stop it with `kill(pid, SIGTERM)`.
    public static func startPrivate() throws -> (address: String, pid: Int32) {
        let tansu = projectRoot.appendingPathComponent(".venv/bin/tansu")
        let port = try FreePort.find()
        let p = Process()
        p.executableURL = tansu
        p.arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        try FreePort.waitUntilListening(port: port, timeout: .seconds(10))
        return ("127.0.0.1:\(port)", p.processIdentifier)
    }

    private static func startLocalBroker() throws -> String {
        let tansu = projectRoot.appendingPathComponent(".venv/bin/tansu")
        guard FileManager.default.isExecutableFile(atPath: tansu.path) else {
            throw TestSupportError("no broker: set CC_TEST_KAFKA_BROKERS or run scripts/bootstrap (make test does both)")
        }
        let port = try FreePort.find()
        let p = Process()
        p.executableURL = tansu
        p.arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)",
                       "--advertised-listener-url", "tcp://127.0.0.1:\(port)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        localBrokerPID = p.processIdentifier
        atexit { if localBrokerPID > 0 { kill(localBrokerPID, SIGTERM) } }
        let address = "127.0.0.1:\(port)"
        try FreePort.waitUntilListening(port: port, timeout: .seconds(10))
        return address
    }
}

/// The broker this test process started, stopped when the process exits.
nonisolated(unsafe) private var localBrokerPID: pid_t = 0

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
