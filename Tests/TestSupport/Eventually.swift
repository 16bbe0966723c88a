import Foundation

/// Polls `condition` until it holds or the deadline passes (no fixed sleeps in tests).
public func eventually(timeout: Duration = .seconds(30), interval: Duration = .milliseconds(20),
                       _ what: @autoclosure () -> String = "condition",
                       _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= deadline { throw TestSupportError("timed out after \(timeout) waiting for \(what())") }
        try await Task.sleep(for: interval)
    }
}

/// A name no other test uses, for topics and consumer groups.
public func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

import Synchronization

/// A thread-safe box for values tests collect from callbacks.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    public init(_ value: Value) { mutex = Mutex(value) }
    public var value: Value { mutex.withLock { $0 } }
    public func withLock<R: Sendable>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { (v: inout sending Value) throws -> sending R in try body(&v) }
    }
}

/// Runs a program to its end and returns its exit status and combined output.
///
/// The wait runs on a thread of its own: tests share the cooperative pool (two threads on two cores), and one
/// blocked on a slow child (a Python validator) held up every other test, and their deadlines, for 20–30 s.
public func runProgram(_ executable: URL, _ arguments: [String],
                       environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    if !environment.isEmpty {
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let process = p
    return await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
        }
    }
}
