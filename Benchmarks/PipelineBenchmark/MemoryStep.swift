import Foundation
import KafkaClient
#if canImport(Glibc)
import Glibc
#endif

/// Step 4, memory: more of the same mix (the calls go on where the pipeline step left off), in chunks so that the
/// broker's memory stays bounded, until the service has consumed --memory-events events in all.
struct MemoryStep {
    let bench: Bench
    let service: ServiceUnderTest

    /// Returns the events the service had consumed at the end.
    func run(mix: inout CallMix) async throws -> Int {
        let goal = bench.options.memoryEvents
        var consumed = Int(await service.metric("cc_events_consumed_total") ?? 0)
        var sent = 0
        let start = ContinuousClock.now
        var lastProgressLine = -10.0
        let terminal = isatty(STDOUT_FILENO) == 1
        while consumed < goal {
            var chunk: [OutgoingMessage] = []
            while chunk.count < min(20_000, goal - consumed) {
                // 10 calls per second of event time: the ledger remembers ended calls for an hour of event time.
                chunk += mix.events(call: "m\(sent)", number: sent, at: Bench.t0.adding(milliseconds: Int64(100_000_000 + sent * 100)),
                                    topic: bench.prefix + "cc.telephony.events", idPrefix: "m")
                sent += 1
            }
            try await bench.producer.send(batch: chunk)
            try await service.waitUntilConsumed(Double(consumed + chunk.count))
            consumed += chunk.count
            let elapsed = Bench.seconds(ContinuousClock.now - start)
            let line = String(format: "  memory run: %d of %d events consumed (%.0f s)", consumed, goal, elapsed)
            // On a terminal one line redrawn; in a log a line every ten seconds and the last.
            if terminal {
                FileHandle.standardOutput.write(Data(("\r" + line).utf8))
            } else if elapsed >= lastProgressLine + 10 || consumed >= goal {
                Bench.say(line)
                lastProgressLine = elapsed
            }
        }
        if terminal { Bench.say("") }
        return consumed
    }
}
