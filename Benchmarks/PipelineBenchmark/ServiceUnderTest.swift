import DevelopmentSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A service executable from --bin, started on the benchmark's topics; read through its /metrics page and /proc.
struct ServiceUnderTest {
    let name: String
    let process: Process
    let port: Int

    /// Starts `name` from `bench.options.bin`.
    init(_ name: String, _ bench: Bench) throws {
        let port = try FreePort.find()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bench.options.bin + "/" + name)
        p.environment = ProcessInfo.processInfo.environment.merging([
            "KAFKA_BROKERS": bench.brokers, "CC_TOPIC_PREFIX": bench.prefix, "CC_HTTP_PORT": "\(port)", "CC_LOG_LEVEL": "warning",
            "CC_MAX_EVENT_AHEAD_SECONDS": "\(400 * 86_400)",
            "CC_DATA_DIR": NSTemporaryDirectory() + "bench-\(bench.run)/\(name)", "CC_MAX_BATCH": "2000",
            // The benchmark reads only /metrics and /readyz, which need no token; nothing else listens but on loopback.
            "CC_AUTH_DISABLED": "true",
        ]) { _, new in new }
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        (self.name, process, self.port) = (name, p, port)
    }

    /// The lines of the service's Prometheus page (nil when it does not answer).
    func metricLines() async -> [Substring]? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"), let (data, _) = try? await URLSession.shared.data(from: url) else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
    }

    func metric(_ name: String) async -> Double? {
        guard let lines = await metricLines() else { return nil }
        return lines.first { $0.hasPrefix(name + "{") }.flatMap(Self.sampleValue)
    }

    /// The value of one line of a Prometheus page (`name{labels} value`).
    static func sampleValue(_ line: Substring) -> Double? { Double(line.split(separator: " ").last ?? "") }

    func waitUntilReady() async throws {
        while await metric("cc_ready") != 1 { try await Task.sleep(for: .milliseconds(100)) }
    }

    /// Waits until the service has consumed `count` events in all.
    func waitUntilConsumed(_ count: Double, poll: Duration = .milliseconds(100)) async throws {
        while (await metric("cc_events_consumed_total") ?? 0) < count { try await Task.sleep(for: poll) }
    }

    /// Waits (at most 10 s) until every decided batch is stored and acknowledged by the broker: its batch phase
    /// histograms count as many produce phases as decide phases.
    func waitUntilSettled() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let phases = await BatchPhases.read(self).totals
            let counts = Set(phases.map(\.count))
            if counts.count == 1 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// CPU time the service has used so far (user + system), in seconds, as its own process counts it (`getrusage`,
    /// its `cc_process_cpu_seconds`); from /proc when it does not answer. How much work an event costs varies far
    /// less between runs than a rate on a shared 2-core machine.
    func cpuSeconds() async -> Double {
        if let own = await metric("cc_process_cpu_seconds") { return own }
        return ProcessUsage.cpuSeconds(of: process.processIdentifier)
    }

    /// SIGTERM to each, then waits up to 10 s for them to exit (SIGKILL after that).
    static func stop(_ services: [ServiceUnderTest]) {
        for s in services where s.process.isRunning { s.process.terminate() }
        let deadline = ContinuousClock.now + .seconds(10)
        while services.contains(where: { $0.process.isRunning }) && ContinuousClock.now < deadline { usleep(20_000) }
        for s in services where s.process.isRunning { kill(s.process.processIdentifier, SIGKILL) }
    }

    var peakRSSMegabytes: Int { ProcessUsage.peakRSSMegabytes(of: process.processIdentifier) }

    /// Waits until every service is caught up (no lag, nothing more consumed over half a second); returns when
    /// each got there and what each had consumed.
    static func waitUntilCaughtUp(_ services: [ServiceUnderTest], since started: ContinuousClock.Instant)
        async throws -> (at: [String: Duration], consumed: [String: Double]) {
        var last: [String: Double] = [:]
        var caughtUp: [String: Duration] = [:]
        while caughtUp.count < services.count {
            try await Task.sleep(for: .milliseconds(500))
            for s in services where caughtUp[s.name] == nil {
                let consumed = await s.metric("cc_events_consumed_total") ?? 0
                let lag = await s.metric("cc_consumer_lag") ?? 1
                if consumed > 0, lag == 0, consumed == last[s.name] { caughtUp[s.name] = ContinuousClock.now - started }
                last[s.name] = consumed
            }
        }
        return (caughtUp, last)
    }
}
