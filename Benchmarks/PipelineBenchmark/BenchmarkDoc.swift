import Foundation

/// The figures of one run as the Markdown page `--write-doc` writes.
struct BenchmarkDoc {
    var raw: RawPassthroughStep.Result
    var pipeline: PipelineStep.Result
    var rate: Int
    var relayLatencies: [Int64]
    var hopLatencies: [Int64]
    var serviceLatencies: [Int64]
    var latencyStepPhases: String
    var routingRSS: Int
    var rssEvents: Int
    var systemLines: [String]

    func write(to path: String) throws {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":").last ?? "").trimmingCharacters(in: .whitespaces) } ?? "?"
        let p = LatencyStep.percentiles
        let text = """
        # Benchmarks

        Measured by `make bench` (`cc-bench`, release build) against the local Tansu broker on loopback.
        Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB.

        | measure | result |
        |---|---|
        | raw consume → produce passthrough (no decoding, no state; median of 3 runs alternated with the pipeline's) | \(Int(raw.eventsPerSecond)) events/s (\(String(format: "%.1f", raw.cpuMicrosecondsPerEvent)) µs of CPU per event) |
        | routing-service pipeline (calls offered, answered, keyed on personal phones, hung up; 2,000 agents, 50 call centers, 10% on personal phones; median of 3) | \(Int(pipeline.eventsPerSecond)) events/s (\(Int((100 * pipeline.eventsPerSecond / raw.eventsPerSecond).rounded()))% of raw; \(String(format: "%.1f", pipeline.cpuMicrosecondsPerEvent)) µs of CPU per event) |
        | routing-service's CPU per event by phase (medians; each phase's thread CPU time, `cc_phase_cpu_seconds_total`) | \(PhaseCPUReading.text(pipeline.phases)) |
        | raw relay latency at \(rate) calls/s (two hops, the services' client settings) | \(p(relayLatencies)) |
        | the broker alone: one hop at \(rate) calls/s (the same offers, read from the relay's input with its fetch settings) | \(p(hopLatencies)) |
        | latency `call.offered` → `offered-to-agent` at \(rate) calls/s | \(p(serviceLatencies)) |
        | routing-service's batches in that step (count × mean time: decide; store = encode + SQLite; produce = until the broker acknowledged) | \(latencyStepPhases) |
        | routing-service peak RSS | \(routingRSS) MB after \(rssEvents) events |
        \(systemLines.map { "| \($0) | |" }.joined(separator: "\n"))

        Reproduce: `make bench` (release builds of routing-service and cc-bench, then `.build/release/cc-bench`).
        """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
