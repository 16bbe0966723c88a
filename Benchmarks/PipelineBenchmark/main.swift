// cc-bench: how fast routing-service is, next to the raw limit of the same broker and client.
//
//   cc-bench [--brokers H:P] [--calls N] [--rate CALLS_PER_S] [--seconds S] [--bin DIR] [--memory-events N]
//            [--system] [--write-doc PATH]
//
// 1. raw: a librdkafka consume → produce passthrough of pre-produced events (no decoding, no state);
// 2. pipeline: routing-service (the real executable from --bin) on a realistic tenant (2,000 agents,
//    50 call centers, 10% on personal phones), events/s from first to last consumed input;
// 3. latency: calls offered at a fixed rate, from `call.offered` produced to `offered-to-agent` consumed;
// 4. the service's peak RSS once it has consumed --memory-events events (default 1,000,000).
// With --system the other three services join after step 2 and catch up on the same topics (their
// throughput is measured), and steps 3-4 run with all four; step 4 then reports each service's RSS.
// Without --brokers it starts the project's local broker (.venv/bin/tansu) on a free port.
import CallCenterDomain
import EventContract
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ArgumentParser
import KafkaClient

/// `cc-bench --relay BROKERS IN OUT`: the raw relay of the latency baseline, run as its own process like a service
/// (in the benchmark's process it competed with the offering loop for the two cooperative threads and stalled).
/// Consumes IN and produces to OUT until killed, with the services' client settings: batches handed to the
/// producer without waiting, at most 8 unacknowledged.
if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "--relay" {
    let (brokers, input, output) = (CommandLine.arguments[2], CommandLine.arguments[3], CommandLine.arguments[4])
    let common = KafkaConfiguration(bootstrapServers: brokers, clientID: "cc-bench-relay")
    let fetchWait = ProcessInfo.processInfo.environment["CC_FETCH_WAIT_MS"].flatMap(Int.init) ?? 10
    let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "relay-\(input)",
                                                                          fetchMaxWaitMilliseconds: fetchWait), topics: [])
    try await assignAll(consumer, input, fromEnd: false)
    let linger = ProcessInfo.processInfo.environment["CC_LINGER_MS"].flatMap(Int.init) ?? 0
    let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common, lingerMilliseconds: linger))
    var unacknowledged: [PendingDelivery] = []
    while true {
        let batch = try await consumer.poll(maxMessages: 2_000, timeout: .milliseconds(5))
        unacknowledged.removeAll { $0.isSettled }
        if batch.isEmpty { continue }
        unacknowledged.append(producer.enqueue(batch: batch.map {
            OutgoingMessage(topic: output, key: $0.key, value: $0.value, headers: $0.headers) }))
        if unacknowledged.count > 8 { try await unacknowledged.removeFirst().wait() }
    }
}

/// `cc-bench --hop-probe BROKERS TOPIC N`: diagnostic. N pairs of 330-byte messages, one pair per millisecond, to
/// partition 0 of TOPIC (6 partitions, created if missing), read back by a consumer assigned all 6 from the start
/// (fetch wait 2 ms); prints one hop's latency percentiles. Producer and consumer only: no CloudEvents, no task per
/// message. It showed that local Tansu answers more slowly as a partition grows.
if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "--hop-probe" {
    let (brokers, topic, n) = (CommandLine.arguments[2], CommandLine.arguments[3], Int(CommandLine.arguments[4]) ?? 10_000)
    @Sendable func nowUs() -> Int64 { var t = timespec(); clock_gettime(CLOCK_REALTIME, &t); return Int64(t.tv_sec) * 1_000_000 + Int64(t.tv_nsec) / 1_000 }
    let common = KafkaConfiguration(bootstrapServers: brokers, clientID: "cc-bench-hop",
                                    overrides: KafkaConfiguration.properties(fromEnvironment: ProcessInfo.processInfo.environment))
    try await KafkaAdmin(configuration: common).createTopics([TopicSpecification(name: topic, partitions: 6, replicationFactor: 1)])
    let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common, lingerMilliseconds: 1))
    let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "hop-\(topic)",
                                                                          fetchMaxWaitMilliseconds: 2), topics: [])
    try await assignAll(consumer, topic, fromEnd: false)
    let reading = Task.detached { () -> [Int64] in
        var result: [Int64] = []
        while result.count < 2 * n {
            for m in try await consumer.poll(maxMessages: 2_000, timeout: .milliseconds(50)) where m.value.count == 330 {
                let sent = m.value.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
                if sent > 0 { result.append(nowUs() - sent) }
            }
        }
        return result
    }
    var next = ContinuousClock.now
    var pending: [PendingDelivery] = []
    for _ in 0..<n {
        var value = [UInt8](repeating: 1, count: 330)
        let t = nowUs()
        value.withUnsafeMutableBytes { $0.storeBytes(of: t, as: Int64.self) }
        pending.append(producer.enqueue(batch: [OutgoingMessage(topic: topic, partition: 0, key: nil, value: value),
                                                OutgoingMessage(topic: topic, partition: 0, key: nil, value: value)]))
        pending.removeAll { $0.isSettled }
        next = next + .milliseconds(1)
        try await Task.sleep(until: next, clock: .continuous)
    }
    let l = try await reading.value.sorted()
    func ms(_ p: Double) -> String { String(format: "%.2f", Double(l[min(l.count - 1, Int(Double(l.count) * p))]) / 1000) }
    print("hop probe (KafkaClient, \(l.count) messages): p50 \(ms(0.5)) p90 \(ms(0.9)) p99 \(ms(0.99)) p99.9 \(ms(0.999)) max \(ms(1)) ms")
    exit(0)
}

struct Options: ParsableCommand {
    @Option(help: "Kafka bootstrap servers to measure against (default: start the local broker on a free port).")
    var brokers: String?
    @Option(help: "Calls of the throughput runs (each call is about six events).") var calls = 20_000
    @Option(help: "Calls offered per second in the latency run.") var rate = 1_000
    @Option(help: "Seconds the latency run lasts.") var seconds = 10
    @Option(help: "Where the services' executables are.") var bin = ".build/release"
    @Option(name: .customLong("write-doc"), help: "Also write the figures into this Markdown file's generated section.")
    var doc: String?
    /// Events the service has consumed in all when its peak RSS is read.
    @Option(help: "Events consumed in all when the services' peak RSS is read.") var memoryEvents = 1_000_000
    /// Also runs the other three services (settings, status, report) on the same topics.
    @Flag(help: "Run all four services (the system benchmark), not routing-service alone.") var system = false

    static let configuration = CommandConfiguration(
        commandName: "cc-bench",
        abstract: "How fast routing-service (or, with --system, all four services) is next to the raw limit of the same broker and client.",
        discussion: """
            Steps: a raw consume → produce passthrough; the pipeline on a realistic tenant; latency at a fixed call rate \
            against a raw relay; peak RSS after --memory-events events. Diagnostics: cc-bench --hop-probe H:P TOPIC N \
            (one hop's latency through the broker). cc-bench --relay H:P IN OUT is the relay the latency step starts.
            """)

    func validate() throws {
        guard calls > 0, rate > 0, seconds > 0, memoryEvents > 0 else {
            throw ValidationError("--calls, --rate, --seconds and --memory-events must be more than 0")
        }
    }
}

let o = Options.parseOrExit()

func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    close(fd)
    return Int(UInt16(bigEndian: addr.sin_port))
}

var brokerProcess: Process?
let brokers: String
if let b = o.brokers { brokers = b } else {
    let tansu = ".venv/bin/tansu"
    guard FileManager.default.isExecutableFile(atPath: tansu) else {
        FileHandle.standardError.write(Data("""
            cc-bench: no local broker at \(FileManager.default.currentDirectoryPath)/\(tansu): run it from the project \
            root after `make bootstrap`, or pass --brokers HOST:PORT\n
            """.utf8))
        exit(2)
    }
    let port = freePort()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tansu)
    p.arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    brokerProcess = p
    brokers = "127.0.0.1:\(port)"
    try await Task.sleep(for: .milliseconds(500))
}
defer { brokerProcess?.terminate() }
let common = KafkaConfiguration(bootstrapServers: brokers, clientID: "cc-bench")
let admin = try KafkaAdmin(configuration: common)
let producer = try KafkaProducer(configuration: ProducerConfiguration(common: common, lingerMilliseconds: 5))
let run = String(UUID().uuidString.prefix(6)).lowercased()
let t0 = Timestamp(seconds: 1_800_000_000)
/// The benchmark's tenant (all of its events on one partition, as one busy tenant's are).
let tenant = "bench"

func event<P: EventPayload>(_ p: P, topic: String, tenant: String, id: String, time: Timestamp = t0) -> OutgoingMessage {
    OutgoingMessage(topic: topic, key: tenant, value: CloudEventCodec.encode(p, id: id, source: "/bench", time: time,
                                                                            tenantID: tenant, subject: nil),
                    headers: [KafkaHeader(key: "content-type", string: CloudEventCodec.structuredContentType)])
}

func assignAll(_ c: KafkaConsumer, _ topic: String, fromEnd: Bool) async throws {
    var a: [TopicPartition: Int64?] = [:]
    for p in 0..<6 {
        let tp = TopicPartition(topic: topic, partition: Int32(p))
        a.updateValue(fromEnd ? try await c.watermarks(tp).high : 0, forKey: tp)
    }
    try await c.assign(a)
}

/// The event mix of the benchmark tenant's calls, as the telephony layer reports them: each call is offered,
/// answered by the agent routing offered it to, keyed on a personal phone (`#`: hold, F8), and hung up.
///
/// With no wrap-up, an agent who hangs up goes to the back of the line (A1), so the offers of a call center go
/// round its members in a known order: account ids in string order at first (all became available at the same
/// time), then the order in which they last hung up. The answers name that agent, as the real ones would.
/// (Calls that ring and are hung up unanswered, as in the latency step, leave the order as it was.)
struct CallMix {
    static let callCenters = 50, membersPerCenter = 40
    /// Per call center, its members (agent numbers) in the order they will be offered calls.
    private var queues: [[Int]] = (0..<callCenters).map { c in
        (0..<membersPerCenter).map { c * membersPerCenter + $0 }.sorted { "a\($0)" < "a\($1)" }
    }
    /// The agent each call is offered to (while `remember` is set): checked against the service's decisions.
    private(set) var expectedAgent: [String: String] = [:]
    var remember: Bool

    init(remember: Bool = false) { self.remember = remember }

    /// The events of call number `n` (call center `n % 50`), from `at` (5 ms of event time), with ids `<idPrefix><kind><n>`.
    mutating func events(call id: String, number n: Int, at: Timestamp, topic: String, idPrefix: String) -> [OutgoingMessage] {
        let c = n % Self.callCenters
        let agent = queues[c].removeFirst()
        queues[c].append(agent)
        let account = "a\(agent)"
        if remember { expectedAgent[id] = account }
        func time(_ ms: Int64) -> Timestamp { at.adding(milliseconds: ms) }
        var out = [
            event(TelephonyEvents.CallOffered(callId: id, callCenterId: "cc\(c)", callerNumber: "+81311112222",
                                              dialedNumber: "+81312345678", at: EventTime(at)),
                  topic: topic, tenant: tenant, id: "\(idPrefix)o\(n)", time: at),
            event(TelephonyEvents.AgentAnswered(callId: id, accountId: account, at: EventTime(time(1))),
                  topic: topic, tenant: tenant, id: "\(idPrefix)a\(n)", time: time(1)),
        ]
        if agent % 10 == 0 {  // on a personal phone (setup: every 10th agent)
            out.append(event(TelephonyEvents.Dtmf(callId: id, accountId: account, key: "#", at: EventTime(time(2))),
                             topic: topic, tenant: tenant, id: "\(idPrefix)k\(n)", time: time(2)))
        }
        out.append(event(TelephonyEvents.CallEnded(callId: id, at: EventTime(time(5))),
                         topic: topic, tenant: tenant, id: "\(idPrefix)x\(n)", time: time(5)))
        return out
    }
}

// MARK: 1. raw passthrough
// The same mix as step 2 (one tenant's calls, so one partition), consumed and produced in batches of the service's
// size (CC_MAX_BATCH 2000), each acknowledged before the next. Three runs; the median counts.
var totalEvents = 0
var rawRates: [Double] = []
var rawCPUPerEvent: [Double] = []
/// CPU time this process has used so far, in seconds.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
for attempt in 0..<3 {
    let rawIn = "bench-\(run).raw\(attempt).in", rawOut = "bench-\(run).raw\(attempt).out"
    try await admin.createTopics([TopicSpecification(name: rawIn, partitions: 6, replicationFactor: 1),
                                  TopicSpecification(name: rawOut, partitions: 6, replicationFactor: 1)])
    var rawMix = CallMix()
    let raw = (0..<o.calls).flatMap { i in
        rawMix.events(call: "c\(i)", number: i, at: t0.adding(milliseconds: Int64(10 * i)), topic: rawIn, idPrefix: "r")
    }
    totalEvents = raw.count
    try await producer.send(batch: raw)
    let passthrough = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "bench-\(run)-\(attempt)"), topics: [])
    try await assignAll(passthrough, rawIn, fromEnd: false)
    var moved = 0
    var rawStart: ContinuousClock.Instant?
    var cpuStart = 0.0
    while moved < totalEvents {
        let batch = try await passthrough.poll(maxMessages: 2_000, timeout: .milliseconds(200))
        if batch.isEmpty { continue }
        if rawStart == nil { rawStart = .now; cpuStart = ownCPUSeconds() }
        try await producer.send(batch: batch.map { OutgoingMessage(topic: rawOut, key: $0.key, value: $0.value, headers: $0.headers) })
        moved += batch.count
    }
    let elapsed = ContinuousClock.now - rawStart!
    rawCPUPerEvent.append((ownCPUSeconds() - cpuStart) / Double(totalEvents) * 1e6)
    rawRates.append(Double(totalEvents) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
    await passthrough.close()
}
let rawRate = rawRates.sorted()[1]
say(String(format: "raw passthrough:   %8.0f events/s (%d events; median of %@ events/s); %.1f µs of CPU per event",
           rawRate, totalEvents, rawRates.map { String(Int($0)) }.joined(separator: ", "), rawCPUPerEvent.sorted()[1]))

// MARK: 2. the routing pipeline
let prefix = "bench-\(run)."
/// Starts a service executable from --bin on the benchmark's topics; returns it and its HTTP port.
@MainActor func launch(_ name: String) throws -> (process: Process, port: Int) {
    let port = freePort()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: o.bin + "/" + name)
    p.environment = ProcessInfo.processInfo.environment.merging([
        "KAFKA_BROKERS": brokers, "CC_TOPIC_PREFIX": prefix, "CC_HTTP_PORT": "\(port)", "CC_LOG_LEVEL": "warning", "CC_MAX_EVENT_AHEAD_SECONDS": "\(400 * 86_400)",
        "CC_DATA_DIR": NSTemporaryDirectory() + "bench-\(run)/\(name)", "CC_MAX_BATCH": "2000",
        // The benchmark reads only /metrics and /readyz, which need no token; nothing else listens but on loopback.
        "CC_AUTH_DISABLED": "true",
    ]) { _, new in new }
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    return (p, port)
}
/// The lines of a service's Prometheus page (nil when it does not answer).
func metricLines(port: Int) async -> [Substring]? {
    guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"), let (data, _) = try? await URLSession.shared.data(from: url) else { return nil }
    return String(decoding: data, as: UTF8.self).split(separator: "\n")
}
func metric(_ name: String, port: Int) async -> Double? {
    guard let lines = await metricLines(port: port) else { return nil }
    for line in lines where line.hasPrefix(name + "{") {
        return Double(line.split(separator: " ").last ?? "")
    }
    return nil
}
/// CPU time a process has used so far (user + system), in seconds: how much work an event costs, which varies
/// far less between runs than a rate on a shared 2-core machine.
func cpuSeconds(_ p: Process) -> Double {
    let stat = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/stat", encoding: .utf8)) ?? ""
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    guard let close = stat.lastIndex(of: ")") else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
func peakRSS(_ p: Process) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/status", encoding: .utf8)) ?? ""
    let kb = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.flatMap { $0.split(separator: " ").dropFirst().first }
    return kb.flatMap { Int($0) }.map { $0 / 1024 } ?? -1
}
let (service, port) = try launch("routing-service")
var others: [(name: String, process: Process, port: Int)] = []
defer {
    service.terminate()
    for other in others { other.process.terminate() }
}
func metric(_ name: String) async -> Double? { await metric(name, port: port) }
while await metric("cc_ready") != 1 { try await Task.sleep(for: .milliseconds(100)) }
// A realistic tenant: 2,000 agents in 50 call centers, every 10th on a mobile.
var setup: [OutgoingMessage] = [event(ConfigEvents.TenantConfigured(Tenant(
    id: tenant, concurrentCallLimit: 5_000, platformVersion: PlatformVersion("3.2.0")!, callbackDialingOption: true,
    allowInternationalForwarding: false, rates: ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8,
                                                            billingIncrementSeconds: 30))), topic: prefix + "cc.config", tenant: tenant, id: "cfg")]
for c in 0..<50 {
    setup.append(event(ConfigEvents.CallCenterConfigured(CallCenter(
        id: "cc\(c)", tenantID: tenant, name: "Center \(c)", externalNumber: "+81312345678", noAnswerTimeoutSeconds: 35,
        wrapUpSeconds: 0, memberAccountIDs: (0..<40).map { "a\(c * 40 + $0)" })), topic: prefix + "cc.config", tenant: tenant, id: "cc\(c)"))
}
var devices: [OutgoingMessage] = []
var presence: [OutgoingMessage] = []
for a in 0..<2_000 {
    setup.append(event(ConfigEvents.AccountConfigured(Account(id: "a\(a)", tenantID: tenant, name: "A\(a)", role: .agent,
                                                              extension: "\(20_000 + a)")), topic: prefix + "cc.config", tenant: tenant, id: "acc\(a)"))
    if a % 10 == 0 {
        let d = SignInDevice.externalNumber(try PhoneNumber.parse(String(format: "090%08d", a)), .mobile)
        devices.append(event(SettingsEvents.Changed(DeviceChange(requestID: "d\(a)", accountID: "a\(a)", previous: .softphone, current: d,
                                                                 actorAccountID: "a\(a)", screen: .myAccount, callCenterID: nil, warnings: [],
                                                                 disabledFeatures: [], at: t0)),
                             topic: prefix + "cc.settings.events", tenant: tenant, id: "dev\(a)"))
    }
    presence.append(event(TelephonyEvents.PresenceChanged(accountId: "a\(a)", presence: .available, at: EventTime(t0)),
                          topic: prefix + "cc.telephony.events", tenant: tenant, id: "p\(a)"))
}
try await producer.send(batch: setup + devices)
try await Task.sleep(for: .seconds(3))
try await producer.send(batch: presence)
let setupCount = Double(setup.count + devices.count + presence.count)
while (await metric("cc_events_consumed_total") ?? 0) < setupCount { try await Task.sleep(for: .milliseconds(100)) }
var pipelineMix = CallMix(remember: true)
let mix = (0..<o.calls).flatMap { i in
    pipelineMix.events(call: "k\(i)", number: i, at: t0.adding(milliseconds: Int64(10 * i)), topic: prefix + "cc.telephony.events",
                       idPrefix: "")
}
// Pre-produced, as the raw step's input is: the service is stopped (SIGSTOP) while the mix is written, so that
// it reads a full topic from its first event, and the clock starts when it is let go (SIGCONT). (It used to consume
// while the mix was being written, with the clock started only once the write was done: a rate above the truth.)
kill(service.processIdentifier, SIGSTOP)
do {
    defer { kill(service.processIdentifier, SIGCONT) }
    try await producer.send(batch: mix)
}
let pipeStart = ContinuousClock.now
let pipeCPUStart = cpuSeconds(service)
let target = setupCount + Double(mix.count)
while (await metric("cc_events_consumed_total") ?? 0) < target { try await Task.sleep(for: .milliseconds(20)) }
let pipeElapsed = ContinuousClock.now - pipeStart
let pipeSeconds = Double(pipeElapsed.components.seconds) + Double(pipeElapsed.components.attoseconds) / 1e18
let pipeCPUPerEvent = (cpuSeconds(service) - pipeCPUStart) / Double(mix.count) * 1e6
let pipeRate = Double(mix.count) / pipeSeconds
say(String(format: "routing pipeline:  %8.0f events/s (%d events in %.2f s; %.0f%% of raw); %.1f µs of CPU per event",
           pipeRate, mix.count, pipeSeconds, 100 * pipeRate / rawRate, pipeCPUPerEvent))
// The mix is what it says: each call was offered to the agent whose answer (and keys) the mix holds for it.
let checker = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "bench-check-\(run)"), topics: [])
try await assignAll(checker, prefix + "cc.routing.decisions", fromEnd: false)
var offeredTo: [String: String] = [:]
let checkDeadline = ContinuousClock.now + .seconds(60)
while offeredTo.count < pipelineMix.expectedAgent.count && ContinuousClock.now < checkDeadline {
    for m in try await checker.poll(maxMessages: 5_000, timeout: .milliseconds(200)) {
        if let e = try? CloudEventCodec.decode(value: m.value, headers: []), case .offeredToAgent(let offer) = e.event,
           offer.callId.hasPrefix("k") {
            offeredTo[offer.callId] = offer.accountId
        }
    }
}
await checker.close()
let answeredAsOffered = pipelineMix.expectedAgent.filter { offeredTo[$0.key] == $0.value }.count
say("  mix check: \(answeredAsOffered) of \(pipelineMix.expectedAgent.count) calls were offered to the agent who answered them"
    + (answeredAsOffered == pipelineMix.expectedAgent.count ? "" : " (MIX BROKEN: answers to agents that were not offered the call)"))
pipelineMix.remember = false

/// Waits until every service is caught up (no lag, nothing more consumed over half a second); returns when
/// each got there and what each had consumed.
@MainActor func waitUntilCaughtUp(_ services: [(name: String, process: Process, port: Int)], since started: ContinuousClock.Instant)
    async throws -> (at: [String: Duration], consumed: [String: Double]) {
    var last: [String: Double] = [:]
    var caughtUp: [String: Duration] = [:]
    while caughtUp.count < services.count {
        try await Task.sleep(for: .milliseconds(500))
        for s in services where caughtUp[s.name] == nil {
            let consumed = await metric("cc_events_consumed_total", port: s.port) ?? 0
            let lag = await metric("cc_consumer_lag", port: s.port) ?? 1
            if consumed > 0, lag == 0, consumed == last[s.name] { caughtUp[s.name] = ContinuousClock.now - started }
            last[s.name] = consumed
        }
    }
    return (caughtUp, last)
}

// MARK: 2b. the whole system: the other three services catch up on the same topics
var systemLines: [String] = []
if o.system {
    let started = ContinuousClock.now
    for name in ["settings-service", "status-service", "report-service"] {
        let (p, port) = try launch(name)
        others.append((name, p, port))
    }
    let (caughtUp, last) = try await waitUntilCaughtUp(others, since: started)
    var totalEvents = 0.0
    var slowest = Duration.zero
    for other in others {
        let seconds = Double(caughtUp[other.name]!.components.seconds) + Double(caughtUp[other.name]!.components.attoseconds) / 1e18
        let line = String(format: "%@: %.0f events in %.1f s (%.0f events/s, incl. start-up and group join)",
                          other.name, last[other.name]!, seconds, last[other.name]! / seconds)
        say("  " + line)
        systemLines.append(line)
        totalEvents += last[other.name]!
        slowest = max(slowest, caughtUp[other.name]!)
    }
    let seconds = Double(slowest.components.seconds) + Double(slowest.components.attoseconds) / 1e18
    let line = String(format: "whole system (three services catching up together, 2 cores): %.0f events/s", totalEvents / seconds)
    say(line)
    systemLines.append(line)
}

// MARK: 3. latency at a fixed rate
/// Offers calls at `o.rate` per second to `inTopic` for `o.seconds` (each call ends 50 calls later, so agents
/// free up) and returns the latencies (ms, sorted) of the messages on `outTopic` that `latency` recognizes.
/// The reader asks the broker to answer fetches within 2 ms, so that it adds little (at 1 ms Tansu's answers came
/// irregularly: a probe's p99 for one hop was 0.5–1.2 s, against 6 ms at 2 ms).
/// The telephony layer sends each event as it happens (no batching delay to speak of).
let offerProducer = try KafkaProducer(configuration: ProducerConfiguration(common: common, lingerMilliseconds: 1))
@MainActor func measureLatency(into inTopic: String, readFrom outTopic: String, callPrefix: String,
                               latency: @escaping @Sendable (ConsumedMessage) -> Int64?) async throws -> [Int64] {
    let reader = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "bench-l-\(run)-\(callPrefix)",
                                                                        fetchMaxWaitMilliseconds: 2), topics: [])
    try await assignAll(reader, outTopic, fromEnd: true)
    let total = o.rate * o.seconds
    // Warm-up: one offer at a time until the first comes through (consumers assigned, connections made).
    var warm = 0
    while (try? await reader.poll(maxMessages: 100, timeout: .milliseconds(1)))?.contains(where: { _ in true }) != true && warm < 300 {
        let at = Timestamp(millisecondsSinceEpoch: nowMs())
        try await offerProducer.send(batch: [event(TelephonyEvents.CallOffered(callId: "\(callPrefix)w\(warm)", callCenterId: "cc0",
                                                                               callerNumber: "+81311112222", dialedNumber: "+81312345678",
                                                                               at: EventTime(at)), topic: inTopic, tenant: tenant, id: "\(callPrefix)w\(warm)", time: at),
                                             event(TelephonyEvents.CallEnded(callId: "\(callPrefix)w\(warm)", at: EventTime(at)),
                                                   topic: inTopic, tenant: tenant, id: "\(callPrefix)we\(warm)", time: at)])
        warm += 1
        try await Task.sleep(for: .milliseconds(100))
    }
    let reading = Task { () -> [Int64] in
        var result: [Int64] = []
        let deadline = ContinuousClock.now + .seconds(o.seconds + 20)
        while result.count < total && ContinuousClock.now < deadline {
            for m in try await reader.poll(maxMessages: 2_000, timeout: .milliseconds(50)) {
                if let l = latency(m) { result.append(l) }
            }
        }
        return result
    }
    let interval = Duration.microseconds(1_000_000 / o.rate)
    var next = ContinuousClock.now
    for i in 0..<total {
        let at = Timestamp(millisecondsSinceEpoch: nowMs())
        var batch = [event(TelephonyEvents.CallOffered(callId: "\(callPrefix)\(i)", callCenterId: "cc\(i % 50)", callerNumber: "+81311112222",
                                                       dialedNumber: "+81312345678", at: EventTime(at)),
                           topic: inTopic, tenant: tenant, id: "\(callPrefix)\(i)", time: at)]
        if i >= 50 {
            batch.append(event(TelephonyEvents.CallEnded(callId: "\(callPrefix)\(i - 50)", at: EventTime(at)),
                               topic: inTopic, tenant: tenant, id: "\(callPrefix)e\(i)", time: at))
        }
        Task { [batch] in try? await offerProducer.send(batch: batch) }
        next = next + interval
        try await Task.sleep(until: next, clock: .continuous)
    }
    let unsorted = try await reading.value
    let slow = unsorted.enumerated().filter { $0.element > 200 }
    if let first = slow.first, let last = slow.last {
        say("  \(callPrefix == "R" ? "raw relay" : "routing"): \(slow.count) of \(unsorted.count) offers over 200 ms, "
            + "between the \(first.offset)th and the \(last.offset)th")
    }
    let result = unsorted.sorted()
    await reader.close()
    return result
}
func percentile(_ sorted: [Int64], _ p: Double) -> Int64 { sorted.isEmpty ? -1 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
/// "p50 … ms, p99 … ms, p99.9 … ms" of sorted latencies.
func percentiles(_ sorted: [Int64]) -> String {
    "p50 \(percentile(sorted, 0.5)) ms, p99 \(percentile(sorted, 0.99)) ms, p99.9 \(percentile(sorted, 0.999)) ms"
}
/// The latency of a `call.offered` read back as it was produced (its event time is when it was sent), skipping the
/// warm-up offers (call ids starting with `warmUp`).
func offerLatency(skipping warmUp: String) -> @Sendable (ConsumedMessage) -> Int64? {
    { m in
        guard let e = try? CloudEventCodec.decode(value: m.value, headers: []), case .callOffered(let c) = e.event,
              !c.callId.hasPrefix(warmUp) else { return nil }
        return nowMs() - e.attributes.time.millisecondsSinceEpoch
    }
}

/// The service's batch phases so far (count and seconds in all, from its Prometheus histograms): decide (the loop,
/// under the state lock), store (encoding the outputs and the SQLite transaction), produce (handed to librdkafka →
/// acknowledged by the broker).
typealias PhaseTotals = [(phase: String, count: Double, seconds: Double)]
func phaseTotals() async -> PhaseTotals {
    guard let lines = await metricLines(port: port) else { return [] }
    return ["decide", "store", "produce"].map { phase in
        func value(_ suffix: String) -> Double {
            lines.first { $0.hasPrefix("cc_batch_phase_seconds_\(suffix){") && $0.contains("phase=\"\(phase)\"") }
                .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }
        return (phase, value("count"), value("sum"))
    }
}
/// Batches and each phase's mean, of what happened between `before` and `after`.
func phaseSummary(from before: PhaseTotals, to after: PhaseTotals) -> String {
    let parts = after.map { a -> String in
        let b = before.first { $0.phase == a.phase }
        let count = a.count - (b?.count ?? 0), seconds = a.seconds - (b?.seconds ?? 0)
        return String(format: "%@ %.0f × %.2f ms", a.phase, count, count > 0 ? 1000 * seconds / count : 0)
    }
    return parts.joined(separator: ", ")
}

// 3a. routing-service: `call.offered` produced → `offered-to-agent` consumed.
let phasesBeforeLatency = await phaseTotals()
let latencies = try await measureLatency(into: prefix + "cc.telephony.events", readFrom: prefix + "cc.routing.decisions",
                                         callPrefix: "L") { m in
    // The offer's event time is when it was produced: latency = now - that time.
    guard let e = try? CloudEventCodec.decode(value: m.value, headers: []), case .offeredToAgent(let o) = e.event,
          o.callId.hasPrefix("L"), !o.callId.hasPrefix("Lw") else { return nil }
    return nowMs() - o.at.timestamp.millisecondsSinceEpoch
}
let phasesAfterLatency = await phaseTotals()
// 3b. The baseline: the same offers through a passthrough (consume → produce, no decoding, no state) with the
// services' client settings (fetch wait, linger, batches in flight), measured the same way.
let rawLatencyIn = prefix + "raw-latency.in", rawLatencyOut = prefix + "raw-latency.out"
try await admin.createTopics([TopicSpecification(name: rawLatencyIn, partitions: 6, replicationFactor: 1),
                              TopicSpecification(name: rawLatencyOut, partitions: 6, replicationFactor: 1)])
let relayProcess = Process()
relayProcess.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
relayProcess.arguments = ["--relay", brokers, rawLatencyIn, rawLatencyOut]
try relayProcess.run()
defer { if relayProcess.isRunning { relayProcess.terminate() } }
let rawLatencies = try await measureLatency(into: rawLatencyIn, readFrom: rawLatencyOut, callPrefix: "R",
                                            latency: offerLatency(skipping: "Rw"))
if relayProcess.isRunning { relayProcess.terminate() }
say("raw passthrough latency at \(o.rate) calls/s (\(rawLatencies.count) offers): \(percentiles(rawLatencies))")

// 3c. The floor: the same offers read straight from the topic they are produced to (one hop through the broker,
// no relay). The relay and the service each add a second hop, so twice this is what no consumer of the broker beats.
let hopTopic = prefix + "broker-hop"
try await admin.createTopics([TopicSpecification(name: hopTopic, partitions: 6, replicationFactor: 1)])
let hopLatencies = try await measureLatency(into: hopTopic, readFrom: hopTopic, callPrefix: "H",
                                            latency: offerLatency(skipping: "Hw"))
say("broker alone, one hop at \(o.rate) calls/s (produced → consumed, no relay): \(percentiles(hopLatencies))")

let total = o.rate * o.seconds
say("latency at \(o.rate) calls/s for \(o.seconds) s (\(latencies.count) offers): \(percentiles(latencies))")

// Where the service's batches spend their time: the whole run, and the latency step alone (where the service
// adds to the relay's latency: its decide and store phases come before its outputs go to the broker).
let latencyStepPhases = phaseSummary(from: phasesBeforeLatency, to: phasesAfterLatency)
say("  batches, whole run (count × mean): " + phaseSummary(from: [], to: phasesAfterLatency))
say("  batches, latency step (count × mean): " + latencyStepPhases)

// MARK: 4. memory after --memory-events events
// More of the same mix (the calls continue where step 2 left off), in chunks, so that the broker's memory stays bounded.
var consumedSoFar = Int(await metric("cc_events_consumed_total") ?? 0)
var sent = 0
let memoryStart = ContinuousClock.now
var lastProgressLine = -10.0
while consumedSoFar < o.memoryEvents {
    var chunk: [OutgoingMessage] = []
    while chunk.count < min(20_000, o.memoryEvents - consumedSoFar) {
        // 10 calls per second of event time: the ledger remembers ended calls for an hour of event time.
        chunk += pipelineMix.events(call: "m\(sent)", number: sent, at: t0.adding(milliseconds: Int64(100_000_000 + sent * 100)),
                                    topic: prefix + "cc.telephony.events", idPrefix: "m")
        sent += 1
    }
    try await producer.send(batch: chunk)
    let goal = Double(consumedSoFar + chunk.count)
    while (await metric("cc_events_consumed_total") ?? 0) < goal { try await Task.sleep(for: .milliseconds(100)) }
    consumedSoFar = Int(goal)
    let elapsed = Double((ContinuousClock.now - memoryStart).components.seconds)
    let line = String(format: "  memory run: %d of %d events consumed (%.0f s)", consumedSoFar, o.memoryEvents, elapsed)
    // On a terminal one line redrawn; in a log a line every ten seconds and the last.
    if isatty(STDOUT_FILENO) == 1 {
        FileHandle.standardOutput.write(Data(("\r" + line).utf8))
    } else if elapsed >= lastProgressLine + 10 || consumedSoFar >= o.memoryEvents {
        say(line)
        lastProgressLine = elapsed
    }
}
if isatty(STDOUT_FILENO) == 1 { say("") }
if !others.isEmpty { _ = try await waitUntilCaughtUp(others, since: .now) }
let rssEvents = max(consumedSoFar, Int(target) + total * 2)
say("routing-service peak RSS: \(peakRSS(service)) MB after \(rssEvents) events")
for other in others {
    let consumed = Int(await metric("cc_events_consumed_total", port: other.port) ?? 0)
    let line = "\(other.name) peak RSS: \(peakRSS(other.process)) MB after \(consumed) events"
    say(line)
    systemLines.append(line)
}

if let doc = o.doc {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
        .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":").last ?? "").trimmingCharacters(in: .whitespaces) } ?? "?"
    let text = """
    # Benchmarks

    Measured by `make bench` (`cc-bench`, release build) against the local Tansu broker on loopback.
    Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB.

    | measure | result |
    |---|---|
    | raw consume → produce passthrough (no decoding, no state) | \(Int(rawRate)) events/s (\(String(format: "%.1f", rawCPUPerEvent.sorted()[1])) µs of CPU per event) |
    | routing-service pipeline (calls offered, answered, keyed on personal phones, hung up; 2,000 agents, 50 call centers, 10% on personal phones) | \(Int(pipeRate)) events/s (\(Int((100 * pipeRate / rawRate).rounded()))% of raw; \(String(format: "%.1f", pipeCPUPerEvent)) µs of CPU per event) |
    | raw passthrough latency at \(o.rate) calls/s (same client settings) | \(percentiles(rawLatencies)) |
    | the broker alone: one hop at \(o.rate) calls/s (produced → consumed; the relay and the service each make two) | \(percentiles(hopLatencies)) |
    | latency `call.offered` → `offered-to-agent` at \(o.rate) calls/s | \(percentiles(latencies)) |
    | routing-service's batches in that step (count × mean time: decide; store = encode + SQLite; produce = until the broker acknowledged) | \(latencyStepPhases) |
    | routing-service peak RSS | \(peakRSS(service)) MB after \(rssEvents) events |
    \(systemLines.map { "| \($0) | |" }.joined(separator: "\n"))

    Reproduce: `make bench` (release builds of routing-service and cc-bench, then `.build/release/cc-bench`).
    """
    try text.write(toFile: doc, atomically: true, encoding: .utf8)
    say("wrote \(doc)")
}
