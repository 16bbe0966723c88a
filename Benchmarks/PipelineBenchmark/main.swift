// cc-bench: how fast routing-service is, next to the raw limit of the same broker and client.
//
//   cc-bench [--brokers H:P] [--calls N] [--rate CALLS_PER_S] [--seconds S] [--bin DIR] [--memory-events N]
//            [--system] [--write-doc PATH]
//
// 1. raw (`RawPassthroughStep`): a librdkafka consume → produce passthrough of pre-produced events (no decoding,
//    no state);
// 2. pipeline (`PipelineStep`): routing-service (the real executable from --bin) on a realistic tenant (2,000
//    agents, 50 call centers, 10% on personal phones), events/s from first to last consumed input;
// 3. latency (`LatencyStep`): calls offered at a fixed rate, from `call.offered` produced to `offered-to-agent`
//    consumed, next to a raw relay and to the broker alone;
// 4. memory (`MemoryStep`): the service's peak RSS once it has consumed --memory-events events (default 1,000,000).
// With --system the other three services join after step 2 and catch up on the same topics (`SystemStep`), and
// steps 3-4 run with all four; step 4 then reports each service's RSS.
// Without --brokers it starts the project's local broker (.venv/bin/tansu) on a free port.
import Foundation

if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "--relay" {
    try await Relay.run(brokers: CommandLine.arguments[2], input: CommandLine.arguments[3], output: CommandLine.arguments[4])
}
if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "--hop-probe" {
    try await HopProbe.run(brokers: CommandLine.arguments[2], topic: CommandLine.arguments[3], count: Int(CommandLine.arguments[4]) ?? 10_000)
    exit(0)
}

/// The steps in order, with what each printed.
func benchmark(_ options: Options) async throws {
    let bench = try Bench(options)
    defer { bench.stopBroker() }
    let say = Bench.say

    // 1-2. Raw passthrough and the routing pipeline, alternated three times each (a trend of the machine, or the
    // broker's topics growing, then weighs on both alike); medians count, min–max printed.
    let service = try ServiceUnderTest("routing-service", bench)
    var others: [ServiceUnderTest] = []
    // Stopped before the broker (the defer above runs after this one): a service whose broker is gone first spends
    // a minute trying to deliver its last outputs, and outlives the benchmark.
    defer { ServiceUnderTest.stop([service] + others) }
    try await service.waitUntilReady()
    var pipeline = PipelineStep(bench, service: service)
    try await pipeline.setUp()
    var raws: [RawPassthroughStep.Result] = []
    var pipes: [PipelineStep.Result] = []
    for round in 0..<3 {
        raws.append(try await RawPassthroughStep(bench: bench).run(attempt: round))
        pipes.append(try await pipeline.run(number: round))
        say(String(format: "  round %d: raw %.0f events/s (%.1f µs of CPU per event), pipeline %.0f events/s (%.1f µs)", round + 1,
                   raws[round].eventsPerSecond, raws[round].cpuMicrosecondsPerEvent, pipes[round].eventsPerSecond,
                   pipes[round].cpuMicrosecondsPerEvent))
    }
    let raw = RawPassthroughStep.Result(events: raws[0].events, eventsPerSecond: Spread(raws.map(\.eventsPerSecond)).median,
                                        cpuMicrosecondsPerEvent: Spread(raws.map(\.cpuMicrosecondsPerEvent)).median)
    let pipe = PipelineStep.Result(events: pipes[0].events, seconds: Spread(pipes.map(\.seconds)).median,
                                   eventsPerSecond: Spread(pipes.map(\.eventsPerSecond)).median,
                                   cpuMicrosecondsPerEvent: Spread(pipes.map(\.cpuMicrosecondsPerEvent)).median,
                                   phases: pipes[0].phases.indices.map { i in
                                       (pipes[0].phases[i].phase, Spread(pipes.map { $0.phases[i].microseconds }).median)
                                   })
    say("raw passthrough (the tool's own consume → produce, no decoding, no state): "
        + "\(Spread(raws.map(\.eventsPerSecond)).text("%.0f")) events/s; \(Spread(raws.map(\.cpuMicrosecondsPerEvent)).text("%.1f")) µs of CPU per event")
    say("routing pipeline (routing-service, \(pipe.events) events a run): "
        + "\(Spread(pipes.map(\.eventsPerSecond)).text("%.0f")) events/s; \(Spread(pipes.map(\.cpuMicrosecondsPerEvent)).text("%.1f")) µs of CPU per event (the service's own getrusage)")
    say("  routing-service's CPU per event by phase (medians of the 3 runs; thread CPU time): "
        + PhaseCPUReading.text(pipe.phases))
    say(String(format: "pipeline / raw: %.2f (medians of the same run)", pipe.eventsPerSecond / raw.eventsPerSecond))
    // The mix is what it says: each call was offered to the agent whose answer (and keys) the mix holds for it.
    let offers = try await pipeline.checkOffers()
    say("  mix check: \(offers.matching) of \(offers.calls) calls were offered to the agent who answered them"
        + (offers.matching == offers.calls ? "" : " (MIX BROKEN: answers to agents that were not offered the call)"))
    pipeline.mix.remember = false

    // 2b. the whole system.
    var systemLines: [String] = []
    if options.system { (others, systemLines) = try await SystemStep(bench: bench).run() }

    // 3. latency at a fixed rate.
    let latency = LatencyStep(bench: bench)
    // 3a. routing-service: `call.offered` produced → `offered-to-agent` consumed.
    let phasesBeforeLatency = await BatchPhases.read(service)
    let latencies = try await latency.measure("routing-service", into: bench.prefix + "cc.telephony.events",
                                              readFrom: bench.prefix + "cc.routing.decisions", callPrefix: "L",
                                              latency: LatencyStep.routingLatency)
    let phasesAfterLatency = await BatchPhases.read(service)
    // 3b. The baseline: the same offers through a passthrough (consume → produce, no decoding, no state) with the
    // services' client settings (fetch wait, linger, batches in flight), measured the same way.
    let rawLatencyIn = bench.prefix + "raw-latency.in", rawLatencyOut = bench.prefix + "raw-latency.out"
    try await bench.createTopics(rawLatencyIn, rawLatencyOut)
    let relayProcess = Process()
    relayProcess.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    relayProcess.arguments = ["--relay", bench.brokers, rawLatencyIn, rawLatencyOut]
    try relayProcess.run()
    // 3c. The floor, in the same run: the same offers read from the relay's input topic, with the relay's own fetch
    // settings (CC_FETCH_WAIT_MS, 10 ms), so that it is the relay's first hop and can never exceed the two.
    let (rawLatencies, hopLatencies) = try await latency.measure(
        "raw relay (two hops)", into: rawLatencyIn, readFrom: rawLatencyOut, callPrefix: "R",
        latency: LatencyStep.offerLatency(skipping: "Rw"),
        alsoReading: .init(label: "broker alone (one hop)", topic: rawLatencyIn, fetchWaitMilliseconds: 10,
                           latency: LatencyStep.offerLatency(skipping: "Rw")))
    if relayProcess.isRunning { relayProcess.terminate() }
    say("raw relay latency at \(options.rate) calls/s, two hops (\(rawLatencies.count) offers): \(LatencyStep.percentiles(rawLatencies))")
    say("broker alone, one hop, the same offers read from the relay's input with its fetch settings: \(LatencyStep.percentiles(hopLatencies))")
    say("routing-service latency at \(options.rate) calls/s for \(options.seconds) s (\(latencies.count) offers): \(LatencyStep.percentiles(latencies))")
    say("  added by routing-service (its p50 and p99 minus the relay's): "
        + "\(LatencyStep.percentile(latencies, 0.5) - LatencyStep.percentile(rawLatencies, 0.5)) ms, "
        + "\(LatencyStep.percentile(latencies, 0.99) - LatencyStep.percentile(rawLatencies, 0.99)) ms")
    // Where the service's batches spend their time: the whole run, and the latency step alone (where the service
    // adds to the relay's latency: its decide and store phases come before its outputs go to the broker).
    let latencyStepPhases = phasesAfterLatency.summary(since: phasesBeforeLatency)
    say("  batches, whole run (count × mean): " + phasesAfterLatency.summary())
    say("  batches, latency step (count × mean): " + latencyStepPhases)

    // 4. memory after --memory-events events.
    let consumedAtEnd = try await MemoryStep(bench: bench, service: service).run(mix: &pipeline.mix)
    if !others.isEmpty { _ = try await ServiceUnderTest.waitUntilCaughtUp(others, since: .now) }
    let rssEvents = max(consumedAtEnd, Int(pipeline.consumed) + options.rate * options.seconds * 2)
    say("routing-service peak RSS: \(service.peakRSSMegabytes) MB after \(rssEvents) events")
    for other in others {
        let consumed = Int(await other.metric("cc_events_consumed_total") ?? 0)
        let line = "\(other.name) peak RSS: \(other.peakRSSMegabytes) MB after \(consumed) events"
        say(line)
        systemLines.append(line)
    }

    if let doc = options.doc {
        try BenchmarkDoc(raw: raw, pipeline: pipe, rate: options.rate, relayLatencies: rawLatencies, hopLatencies: hopLatencies,
                         serviceLatencies: latencies, latencyStepPhases: latencyStepPhases, routingRSS: service.peakRSSMegabytes,
                         rssEvents: rssEvents, systemLines: systemLines).write(to: doc)
        say("wrote \(doc)")
    }
}

try await benchmark(Options.parseOrExit())
