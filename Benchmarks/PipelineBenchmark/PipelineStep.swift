import CallCenterDomain
import EventContract
import Foundation
import KafkaClient

/// Step 2, the routing pipeline: routing-service on a realistic tenant (2,000 agents in 50 call centers, every 10th on
/// a personal phone), events/s from its first to its last consumed input of a pre-produced mix.
struct PipelineStep {
    struct Result {
        var events: Int
        var seconds: Double
        var eventsPerSecond: Double
        /// The service's CPU time per event, in µs.
        var cpuMicrosecondsPerEvent: Double
        /// The same by phase (`PhaseCPUReading`), "other" last.
        var phases: [(phase: String, microseconds: Double)] = []
    }

    let bench: Bench
    let service: ServiceUnderTest
    /// The calls' agents, in the order routing offers them calls (carried on through every run of the benchmark).
    var mix = CallMix(remember: true)
    /// Events the service has consumed so far (the setup and each run's mix).
    private(set) var consumed = 0.0

    init(_ bench: Bench, service: ServiceUnderTest) {
        self.bench = bench
        self.service = service
    }

    /// Configures the tenant and makes its 2,000 agents available; waits until the service has consumed it all.
    mutating func setUp() async throws {
        let prefix = bench.prefix
        var setup: [OutgoingMessage] = [Bench.event(ConfigEvents.TenantConfigured(Tenant(
            id: Bench.tenant, concurrentCallLimit: 5_000, platformVersion: PlatformVersion("3.2.0")!, callbackDialingOption: true,
            allowInternationalForwarding: false, rates: ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8,
                                                                    ipPhoneYenPerMinute: 8, billingIncrementSeconds: 30))),
            topic: prefix + "cc.config", id: "cfg")]
        for c in 0..<CallMix.callCenters {
            setup.append(Bench.event(ConfigEvents.CallCenterConfigured(CallCenter(
                id: "cc\(c)", tenantID: Bench.tenant, name: "Center \(c)", externalNumber: "+81312345678", noAnswerTimeoutSeconds: 35,
                wrapUpSeconds: 0, memberAccountIDs: (0..<CallMix.membersPerCenter).map { "a\(c * CallMix.membersPerCenter + $0)" })),
                topic: prefix + "cc.config", id: "cc\(c)"))
        }
        var devices: [OutgoingMessage] = []
        var presence: [OutgoingMessage] = []
        for a in 0..<(CallMix.callCenters * CallMix.membersPerCenter) {
            setup.append(Bench.event(ConfigEvents.AccountConfigured(Account(id: "a\(a)", tenantID: Bench.tenant, name: "A\(a)", role: .agent,
                                                                            extension: "\(20_000 + a)")),
                                     topic: prefix + "cc.config", id: "acc\(a)"))
            if a % 10 == 0 {
                let d = SignInDevice.externalNumber(try PhoneNumber.parse(String(format: "090%08d", a)), .mobile)
                devices.append(Bench.event(SettingsEvents.Changed(DeviceChange(
                    requestID: "d\(a)", accountID: "a\(a)", previous: .softphone, current: d, actorAccountID: "a\(a)", screen: .myAccount,
                    callCenterID: nil, warnings: [], disabledFeatures: [], at: Bench.t0)), topic: prefix + "cc.settings.events", id: "dev\(a)"))
            }
            presence.append(Bench.event(TelephonyEvents.PresenceChanged(accountId: "a\(a)", presence: .available, at: EventTime(Bench.t0)),
                                        topic: prefix + "cc.telephony.events", id: "p\(a)"))
        }
        try await bench.producer.send(batch: setup + devices)
        // Configuration before presence: an agent made available before its account is configured is refused.
        while (await service.metric("cc_events_consumed_total") ?? 0) < Double(setup.count + devices.count) {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await bench.producer.send(batch: presence)
        consumed = Double(setup.count + devices.count + presence.count)
        try await service.waitUntilConsumed(consumed)
    }

    /// One measured run of `calls` calls (ids `<run>k<n>`).
    mutating func run(number: Int) async throws -> Result {
        let first = number * bench.options.calls
        // Each run two hours of event time after the one before: routing remembers ended calls for an hour of event
        // time, so every run meets the state one run leaves (as the single run did), not the sum of all runs.
        let runStart = Bench.t0.adding(milliseconds: Int64(number) * 7_200_000)
        let events = (first..<(first + bench.options.calls)).flatMap { i in
            mix.events(call: "k\(i)", number: i, at: runStart.adding(milliseconds: Int64(10 * (i - first))),
                       topic: bench.prefix + "cc.telephony.events", idPrefix: "")
        }
        // Pre-produced, as the raw step's input is: the service is stopped (SIGSTOP) while the mix is written, so that
        // it reads a full topic from its first event, and the clock starts when it is let go (SIGCONT).
        kill(service.process.processIdentifier, SIGSTOP)
        do {
            defer { kill(service.process.processIdentifier, SIGCONT) }
            try await bench.producer.send(batch: events)
        }
        let start = ContinuousClock.now
        let cpuStart = await service.cpuSeconds()
        let phasesStart = await PhaseCPUReading.read(service)
        consumed += Double(events.count)
        try await service.waitUntilConsumed(consumed, poll: .milliseconds(20))
        let seconds = Bench.seconds(ContinuousClock.now - start)
        // The last batches' store and produce come after their events are counted as consumed.
        try await service.waitUntilSettled()
        let phases = await PhaseCPUReading.read(service).microsecondsPerEvent(since: phasesStart, events: events.count)
        return Result(events: events.count, seconds: seconds, eventsPerSecond: Double(events.count) / seconds,
                      cpuMicrosecondsPerEvent: (await service.cpuSeconds() - cpuStart) / Double(events.count) * 1e6, phases: phases)
    }

    /// How many of the calls remembered so far were offered to the agent whose answer the mix holds (all, unless
    /// the mix no longer matches routing's order); forgets them.
    mutating func checkOffers() async throws -> (matching: Int, calls: Int) {
        let checker = try KafkaConsumer(configuration: ConsumerConfiguration(common: bench.common, groupID: "bench-check-\(bench.run)"),
                                        topics: [])
        try await Bench.assignAll(checker, bench.prefix + "cc.routing.decisions", fromEnd: false)
        var offeredTo: [String: String] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while offeredTo.count < mix.expectedAgent.count && ContinuousClock.now < deadline {
            for m in try await checker.poll(maxMessages: 5_000, timeout: .milliseconds(200)) {
                if let e = try? CloudEventCodec.decode(value: m.value, headers: []), case .offeredToAgent(let offer) = e.event,
                   mix.expectedAgent[offer.callId] != nil {
                    offeredTo[offer.callId] = offer.accountId
                }
            }
        }
        await checker.close()
        let matching = mix.expectedAgent.filter { offeredTo[$0.key] == $0.value }.count
        defer { mix.forgetExpected() }
        return (matching, mix.expectedAgent.count)
    }
}
