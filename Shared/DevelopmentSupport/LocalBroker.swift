import Foundation

/// The project's local Kafka-compatible broker (Tansu, installed in `.venv/bin/tansu` by `scripts/bootstrap`),
/// started on a free loopback port: for tests, the benchmarks and tools that need a broker of their own.
public enum LocalBroker {
    /// The directory holding `Package.swift`, found upwards from `file` (a source file of the caller), else the
    /// current directory.
    public static func projectRoot(from file: String = #filePath) -> URL {
        var url = URL(fileURLWithPath: file)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    public static func executable(in root: URL) -> URL { root.appendingPathComponent(".venv/bin/tansu") }

    /// Starts the broker in `root` on a free port and waits until it listens; stop it with `stop(_:)`.
    public static func start(in root: URL) throws -> (address: String, process: Process) {
        let tansu = executable(in: root)
        guard FileManager.default.isExecutableFile(atPath: tansu.path) else {
            throw LocalProcessError("no local broker at \(tansu.path): run scripts/bootstrap (make test and make bench do)")
        }
        let port = try FreePort.find()
        let p = Process()
        p.executableURL = tansu
        p.arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        do {
            try FreePort.waitUntilListening(port: port, timeout: .seconds(10))
        } catch {
            p.terminate()
            throw error
        }
        return ("127.0.0.1:\(port)", p)
    }

    /// Stops a broker `start` started. Tansu ignores SIGTERM and SIGINT (a broker stopped so stayed running after
    /// every benchmark and test process); it keeps everything in memory, so SIGKILL loses nothing.
    public static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// `stop(_:)` by process id, for a broker whose `Process` is gone (an `atexit` handler).
    public static func stop(pid: Int32) {
        if pid > 0 { kill(pid, SIGKILL) }
    }
}
