import Foundation

/// A service's CPU time by phase so far (`cc_phase_cpu_seconds_total{phase}`) and in all (`cc_process_cpu_seconds`):
/// the difference of two readings over the events between them is each phase's CPU per event.
struct PhaseCPUReading {
    /// The phases in the order of an event's way through the service.
    static let phases = ["decode", "merge", "decide", "changelog", "encode", "store", "produce", "kafka"]

    var seconds: [String: Double] = [:]
    var process = 0.0

    static func read(_ service: ServiceUnderTest) async -> PhaseCPUReading {
        guard let lines = await service.metricLines() else { return PhaseCPUReading() }
        var reading = PhaseCPUReading()
        for line in lines where line.hasPrefix("cc_phase_cpu_seconds_total{") {
            guard let phase = phases.first(where: { line.contains("phase=\"\($0)\"") }) else { continue }
            reading.seconds[phase] = ServiceUnderTest.sampleValue(line) ?? 0
        }
        reading.process = lines.first { $0.hasPrefix("cc_process_cpu_seconds{") }
            .flatMap(ServiceUnderTest.sampleValue) ?? 0
        return reading
    }

    /// µs of CPU per event in each phase between `before` and this reading, and "other" (the process's CPU that no
    /// phase covers: polling, scheduling, HTTP).
    func microsecondsPerEvent(since before: PhaseCPUReading, events: Int) -> [(phase: String, microseconds: Double)] {
        guard events > 0 else { return [] }
        let perEvent = { (seconds: Double) in seconds / Double(events) * 1e6 }
        let each = Self.phases.map { ($0, perEvent((seconds[$0] ?? 0) - (before.seconds[$0] ?? 0))) }
        let covered = each.reduce(0) { $0 + $1.1 }
        return each + [("other", max(0, perEvent(process - before.process) - covered))]
    }

    /// "decode 5.1 µs (13%), ..." from per-phase medians.
    static func text(_ shares: [(phase: String, microseconds: Double)]) -> String {
        let total = shares.reduce(0) { $0 + $1.microseconds }
        return shares.map { String(format: "%@ %.1f µs (%.0f%%)", $0.phase, $0.microseconds, total > 0 ? 100 * $0.microseconds / total : 0) }
            .joined(separator: ", ")
    }
}
