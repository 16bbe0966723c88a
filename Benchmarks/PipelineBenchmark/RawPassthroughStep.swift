import DevelopmentSupport
import KafkaClient

/// Step 1, raw passthrough: the same mix as the pipeline step (one tenant's calls, so one partition), pre-produced,
/// then consumed and produced in batches of the service's size (CC_MAX_BATCH 2000), each acknowledged before the next.
/// No decoding, no state: the limit of this broker and client.
struct RawPassthroughStep {
    struct Result {
        var events: Int
        var eventsPerSecond: Double
        /// This process's CPU time per event moved, in µs.
        var cpuMicrosecondsPerEvent: Double
    }

    let bench: Bench

    func run(attempt: Int) async throws -> Result {
        let rawIn = bench.prefix + "raw\(attempt).in", rawOut = bench.prefix + "raw\(attempt).out"
        try await bench.createTopics(rawIn, rawOut)
        var mix = CallMix()
        let raw = (0..<bench.options.calls).flatMap { i in
            mix.events(call: "c\(i)", number: i, at: Bench.t0.adding(milliseconds: Int64(10 * i)), topic: rawIn, idPrefix: "r")
        }
        try await bench.producer.send(batch: raw)
        let passthrough = try KafkaConsumer(configuration: ConsumerConfiguration(common: bench.common,
                                                                                 groupID: "bench-\(bench.run)-\(attempt)"), topics: [])
        try await Bench.assignAll(passthrough, rawIn, fromEnd: false)
        var moved = 0
        var start: ContinuousClock.Instant?
        var cpuStart = 0.0
        while moved < raw.count {
            let batch = try await passthrough.poll(maxMessages: 2_000, timeout: .milliseconds(200))
            if batch.isEmpty { continue }
            if start == nil { (start, cpuStart) = (.now, ProcessUsage.ownCPUSeconds()) }
            try await bench.producer.send(batch: batch.map { OutgoingMessage(topic: rawOut, key: $0.key, value: $0.value, headers: $0.headers) })
            moved += batch.count
        }
        let elapsed = Bench.seconds(ContinuousClock.now - start!)
        await passthrough.close()
        return Result(events: raw.count, eventsPerSecond: Double(raw.count) / elapsed,
                      cpuMicrosecondsPerEvent: (ProcessUsage.ownCPUSeconds() - cpuStart) / Double(raw.count) * 1e6)
    }
}
