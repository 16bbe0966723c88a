import Foundation

/// Step 2b, the whole system (--system): settings-, status- and report-service start after the pipeline step and
/// catch up on the same topics; each one's throughput, start-up and group join included.
struct SystemStep {
    let bench: Bench

    func run() async throws -> (services: [ServiceUnderTest], lines: [String]) {
        let started = ContinuousClock.now
        let others = try ["settings-service", "status-service", "report-service"].map { try ServiceUnderTest($0, bench) }
        let (caughtUp, last) = try await ServiceUnderTest.waitUntilCaughtUp(others, since: started)
        var lines: [String] = []
        var totalEvents = 0.0
        var slowest = Duration.zero
        for other in others {
            let seconds = Bench.seconds(caughtUp[other.name]!)
            // A figure reached by dead-lettering events (e.g. processed before their tenant's configuration) is not
            // one: say how many there were.
            let deadLetters = await other.metric("cc_events_deadlettered_total") ?? 0
            let line = String(format: "%@: %.0f events in %.1f s (%.0f events/s, incl. start-up and group join); %.0f dead letters%@",
                              other.name, last[other.name]!, seconds, last[other.name]! / seconds, deadLetters,
                              deadLetters > 0 ? " (SEE THE SERVICE'S LOG)" : "")
            Bench.say("  " + line)
            lines.append(line)
            // Its CPU per event by phase over its whole life so far (start-up included, which is small next to it).
            let phases = await PhaseCPUReading.read(other).microsecondsPerEvent(since: PhaseCPUReading(), events: Int(last[other.name]!))
            let cpuLine = String(format: "%@: %.1f µs of CPU per event; by phase: ", other.name, phases.reduce(0) { $0 + $1.microseconds })
                + PhaseCPUReading.text(phases)
            Bench.say("    " + cpuLine)
            lines.append(cpuLine)
            totalEvents += last[other.name]!
            slowest = max(slowest, caughtUp[other.name]!)
        }
        let line = String(format: "whole system (three services catching up together, 2 cores): %.0f events/s",
                          totalEvents / Bench.seconds(slowest))
        Bench.say(line)
        lines.append(line)
        return (others, lines)
    }
}
