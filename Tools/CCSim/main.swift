// cc-sim: plays the telephony layer and the admin web app against running services.
//
//   cc-sim demo [--brokers H:P] [--prefix P] [--tenant T] [--calls N] [--rate CALLS_PER_S] [--report-url URL]
//
// Configures a tenant (limit, rates, two call centers, agents on softphone, mobile and landline),
// changes devices through each of the four screens (one with a persistent connection), then offers
// calls and answers them the way people do: answers confirmed with 1 or declined with 9, holds with
// *0 and *, blind transfers with #number, parks with #700, no-answers, a voicemail answering, and
// hang-ups; it connects the persistent leg routing dials. A few calls go to a queue closed to personal
// phones. Shows progress, then a summary of what the services decided.
import CallCenterDomain
import EventContract
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ArgumentParser
import KafkaClient

struct Options: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (default: KAFKA_BROKERS, else 127.0.0.1:9092).")
    var brokers = ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "127.0.0.1:9092"
    @Option(help: "The deployment's topic name prefix (default: CC_TOPIC_PREFIX, else none).")
    var prefix = ProcessInfo.processInfo.environment["CC_TOPIC_PREFIX"] ?? ""
    @Option(help: "The tenant the scenario configures and plays.") var tenant = "demo"
    @Option(help: "Calls offered to the Support call center (a few more go to Payments).") var calls = 40
    @Option(help: "Calls offered per second.") var rate = 4.0
    @Option(help: "report-service's base URL for the charges at the end, or none (needs CC_ACCESS_TOKEN).")
    var reportURL = "http://127.0.0.1:8084"

    var reportBase: String? { reportURL == "none" ? nil : reportURL }

    func validate() throws {
        guard calls > 0 else { throw ValidationError("--calls must be 1 or more") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be more than 0") }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plays the telephony layer and the admin web app against running services: the scenario of make run.",
        discussion: """
            Configures a tenant (limit 8, rates, call centers Support and Payments, six agents), changes devices through \
            the four screens, offers calls and plays each agent's reaction, then prints what the services decided and \
            the charges report.
            """)

    @OptionGroup var options: Options

    func run() async throws { try await Simulator(options).run() }
}

struct CCSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cc-sim", abstract: "The demo's telephony layer and admin app.",
                                                    subcommands: [Demo.self])
}

func now() -> Timestamp { Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

func progress(_ label: String, _ done: Int, _ total: Int) {
    let width = 30
    let filled = total == 0 ? width : width * done / total
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    FileHandle.standardOutput.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
    if done >= total { FileHandle.standardOutput.write(Data("\n".utf8)) }
}

final class Simulator {
    let o: Options
    let producer: KafkaProducer
    let decisions: KafkaConsumer
    let runID = String(UUID().uuidString.prefix(6)).lowercased()
    var sequence = 0
    var seen: [String: Int] = [:]  // decision/command type → count
    var peakChannels = 0
    var openLegs = Set<String>()
    var bridged = 0, announced = 0, closedQueueToPersonalPhones = 0
    var cancelled: [String: Int] = [:]  // offer-cancelled reason → count
    var externalOffers = 0
    var pending: [(due: Timestamp, payload: any EventPayload, topic: String)] = []

    init(_ o: Options) throws {
        self.o = o
        let common = KafkaConfiguration(bootstrapServers: o.brokers, clientID: "cc-sim",
                                        overrides: kafkaProperties)
        producer = try KafkaProducer(configuration: ProducerConfiguration(common: common))
        decisions = try KafkaConsumer(configuration: ConsumerConfiguration(common: common, groupID: "cc-sim-\(runID)"), topics: [])
    }

    func topic(_ name: String) -> String { o.prefix + name }

    /// The W3C traceparent the telephony layer gives a call's events: one trace per call (its id from the run and
    /// the call), a parent id per event. The services pass it on to every event derived from them.
    func traceparent(call: String, event: Int) -> String {
        var hasher = FNV1a()
        hasher.add(runID)
        hasher.add(call)
        let high = hasher.value
        hasher.add("second half")
        return String(format: "00-%016llx%016llx-%016llx-01", high, hasher.value, UInt64(event) | 1 << 60)
    }

    /// The call an event is about (`callId` in its data), found without knowing its type.
    func callID(of payload: any EventPayload) -> String? {
        Mirror(reflecting: payload).children.first { $0.label == "callId" }?.value as? String
    }

    func publish(_ topic: String, _ payloads: [any EventPayload], subject: String? = nil) async throws {
        var messages: [OutgoingMessage] = []
        for p in payloads {
            sequence += 1
            func make<P: EventPayload>(_ p: P) -> OutgoingMessage {
                OutgoingMessage(topic: self.topic(topic), key: o.tenant,
                                value: CloudEventCodec.encode(p, id: "sim-\(runID)-\(sequence)", source: "/cc-sim", time: now(),
                                                              tenantID: o.tenant, subject: subject,
                                                              traceparent: callID(of: p).map { traceparent(call: $0, event: sequence) }),
                                headers: [KafkaHeader(key: "content-type", string: CloudEventCodec.structuredContentType)])
            }
            messages.append(make(p))
        }
        try await producer.send(batch: messages)
    }

    let agents: [(id: String, name: String, role: Role)] = [
        ("admin", "Sato (admin)", .systemAdministrator), ("sup", "Suzuki (supervisor)", .supervisor),
        ("a1", "Takahashi", .agent), ("a2", "Tanaka", .agent), ("a3", "Ito", .agent), ("a4", "Watanabe", .agent),
        ("a5", "Yamamoto", .agent), ("a6", "Nakamura", .agent),
    ]

    func configure() async throws {
        let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8.0,
                                billingIncrementSeconds: 30)
        var config: [any EventPayload] = [ConfigEvents.TenantConfigured(Tenant(
            id: o.tenant, concurrentCallLimit: 8, platformVersion: PlatformVersion("3.2.0")!, callbackDialingOption: true,
            allowInternationalForwarding: false, rates: rates))]
        for (i, a) in agents.enumerated() {
            config.append(ConfigEvents.AccountConfigured(Account(id: a.id, tenantID: o.tenant, name: a.name, role: a.role,
                                                                 extension: "\(201 + i)",
                                                                 editableCallCenterIDs: a.role == .agent ? [] : ["support"])))
        }
        // F5 with F13: personal phones confirm with 1 or decline with 9; F12: idle legs close after 10 minutes; F15: the
        // queue is announced to personal phones.
        config.append(ConfigEvents.CallCenterConfigured(CallCenter(
            id: "support", tenantID: o.tenant, name: "Support サポート", externalNumber: "03-1234-5678",
            noAnswerTimeoutSeconds: 30, wrapUpSeconds: 5, memberAccountIDs: ["a1", "a2", "a3", "a4", "a5", "a6"],
            answerConfirmation: AnswerConfirmation(enabled: true, key: "1", withinSeconds: 5, declineKey: "9"), maxNoAnswer: 3,
            persistentConnection: PersistentConnectionSettings(idleMinutes: 10), agentAnnouncement: AgentAnnouncement(enabled: true))))
        // F16: card payments never go to a personal phone.
        config.append(ConfigEvents.CallCenterConfigured(CallCenter(
            id: "payments", tenantID: o.tenant, name: "Payments 決済", externalNumber: "03-1234-5679",
            noAnswerTimeoutSeconds: 30, wrapUpSeconds: 5, memberAccountIDs: ["a1", "a5"], allowPersonalPhones: false)))
        try await publish("cc.config", config)
        say("configured tenant \(o.tenant): limit 8 channels; call center Support with 6 agents (answer confirmation 1, "
            + "decline 9, announcement), Payments with 2, closed to personal phones")
    }

    /// Device changes through each screen (S2), answered by settings-service.
    func changeDevices() async throws {
        func req(_ id: String, _ actor: String, _ screen: SettingsScreen, _ target: String, _ number: String?,
                 persistent: Bool = false) -> any EventPayload {
            SettingsEvents.ChangeRequested(
                requestId: id, actorAccountId: actor, screen: screen,
                callCenterId: screen.isCallCenterScoped ? "support" : nil, targetAccountId: target,
                device: number.map { ContractDevice(kind: .externalNumber, number: $0, persistentConnection: persistent ? true : nil) }
                    ?? ContractDevice(kind: .softphone))
        }
        let requests: [(id: String, make: (String) -> any EventPayload)] = [
            ("acc", { req($0, "admin", .account, "a1", "090-1111-2222") }),            // mobile, from アカウント
            ("my", { req($0, "a2", .myAccount, "a2", "03-5555-6666") }),               // landline, from マイアカウント
            ("ops", { req($0, "sup", .callCenterOperations, "a3", "080-3333-4444") }), // mobile, from コールセンター業務
            ("rtm", { req($0, "sup", .realtimeMonitor, "a4", "050-7777-8888", persistent: true) }), // IP phone, persistent (F12)
            ("deny", { req($0, "a5", .account, "a6", "090-9999-0000") }),              // refused: an agent on アカウント
            ("bad", { req($0, "admin", .account, "a6", "110") }),                      // refused: emergency number
        ]
        let settings = try KafkaConsumer(configuration: ConsumerConfiguration(
            common: KafkaConfiguration(bootstrapServers: o.brokers, overrides: kafkaProperties), groupID: "cc-sim-s-\(runID)"), topics: [])
        try await settings.assign(try await partitions(topic("cc.settings.events")))
        try await publish("cc.settings.commands", requests.map { $0.make("\(runID)-\($0.id)-0") })
        // Configuration and commands travel on different topics: a command that overtakes the accounts is
        // answered unknownAccount. Such requests are sent again (with a new request id) until the registry knows them.
        var answers: [String: String] = [:]
        var attempts: [String: Int] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while answers.count < requests.count && ContinuousClock.now < deadline {
            var retry: [String] = []
            for m in try await settings.poll(timeout: .milliseconds(200)) {
                guard let e = try? CloudEventCodec.decode(value: m.value, headers: m.headers.map { ($0.key, $0.value) }),
                      e.attributes.tenantID == o.tenant else { continue }
                func base(_ requestID: String) -> String? {
                    let parts = requestID.split(separator: "-")
                    return parts.count == 3 && parts[0] == runID ? String(parts[1]) : nil
                }
                switch e.event {
                case .deviceChanged(let c):
                    guard let id = base(c.requestId) else { continue }
                    let warnings = [("acdTimeoutTooShort", "ACD timeouts below 30 s"),
                                    ("personalPhonesNotAllowed", "Payments is closed to personal phones"),
                                    ("persistentConnectionCost", "a persistent connection holds a channel and is charged")]
                        .filter { code, _ in c.warnings.contains { $0.code == code } }.map { "warning: \($0.1)" }
                    answers[id] = "applied: \(c.accountId) → \(c.current.phoneType?.rawValue ?? "softphone")"
                        + (c.current.persistentConnection == true ? " with a persistent connection" : "")
                        + (warnings.isEmpty ? "" : " (" + warnings.joined(separator: "; ") + ")")
                case .deviceChangeRejected(let r):
                    guard let id = base(r.requestId) else { continue }
                    if r.reason == .unknownAccount { retry.append(id) } else { answers[id] = "rejected: \(r.reason.rawValue)" }
                default: break
                }
            }
            if !retry.isEmpty {
                try await Task.sleep(for: .milliseconds(500))
                try await publish("cc.settings.commands", requests.filter { retry.contains($0.id) }.map { r in
                    attempts[r.id, default: 0] += 1
                    return r.make("\(runID)-\(r.id)-\(attempts[r.id]!)")
                })
            }
        }
        await settings.close()
        // routing-service reads the changes from cc.settings.events: give it a moment before calls ring.
        try await Task.sleep(for: .seconds(1))
        say("sign-in devices (four screens):")
        for id in ["acc", "my", "ops", "rtm", "deny", "bad"] {
            say("  \(id.padding(toLength: 5, withPad: " ", startingAt: 0)) \(answers[id] ?? "no answer")")
        }
    }

    func partitions(_ topic: String) async throws -> [TopicPartition: Int64?] {
        let md = try await decisions.metadata(topic: topic)
        let count = md.topics.first { $0.name == topic }?.partitionCount ?? 6
        var result: [TopicPartition: Int64?] = [:]
        for p in 0..<count { result.updateValue(nil, forKey: TopicPartition(topic: topic, partition: Int32(p))) }  // nil: committed or earliest
        return result
    }

    func run() async throws {
        try await configure()
        try await changeDevices()
        var assignment = try await partitions(topic("cc.routing.decisions"))
        for (k, v) in try await partitions(topic("cc.call.commands")) { assignment[k] = v }
        for (k, v) in try await partitions(topic("cc.usage")) { assignment[k] = v }
        // Only what happens from now on: start at the end of each partition.
        var fromEnd: [TopicPartition: Int64?] = [:]
        for tp in assignment.keys { fromEnd[tp] = try await decisions.watermarks(tp).high }
        try await decisions.assign(fromEnd)
        try await publish("cc.telephony.events", agents.filter { $0.role == .agent }.map {
            TelephonyEvents.PresenceChanged(accountId: $0.id, presence: .available, at: EventTime(now())) })
        let payments = max(2, o.calls / 12)
        say("6 agents available; offering \(o.calls) calls to Support and \(payments) to Payments at \(o.rate)/s")
        let interval = Duration.milliseconds(Int(1000 / o.rate))
        var offered = 0
        var nextOffer = ContinuousClock.now
        var ended = Set<String>()
        var callsByIndex: [String: Int] = [:]
        let quietUntil = { ContinuousClock.now + .seconds(8) }
        var stopAt = ContinuousClock.now + .seconds(3600)
        while ContinuousClock.now < stopAt {
            if offered < o.calls + payments && ContinuousClock.now >= nextOffer {
                let call = "call-\(runID)-\(offered)"
                callsByIndex[call] = offered
                // Every so often a Payments call, the rest Support.
                let toPayments = offered >= o.calls
                try await publish("cc.telephony.events", [TelephonyEvents.CallOffered(
                    callId: call, callCenterId: toPayments ? "payments" : "support",
                    callerNumber: "+8175\(String(format: "%07d", 1_000_000 + offered))",
                    dialedNumber: toPayments ? "+81312345679" : "+81312345678", at: EventTime(now()))], subject: call)
                offered += 1
                nextOffer = nextOffer + interval
                progress("calls offered", offered, o.calls + payments)
                if offered == o.calls + payments { stopAt = quietUntil() }
            }
            for m in try await decisions.poll(maxMessages: 500, timeout: .milliseconds(50)) {
                guard let e = try? CloudEventCodec.decode(value: m.value, headers: m.headers.map { ($0.key, $0.value) }),
                      e.attributes.tenantID == o.tenant else { continue }
                seen[e.attributes.type, default: 0] += 1
                if offered == o.calls + payments { stopAt = max(stopAt, quietUntil()) }
                react(to: e, callsByIndex: callsByIndex, ended: &ended)
            }
            let due = pending.filter { $0.due <= now() }
            pending.removeAll { $0.due <= now() }
            for d in due {
                try await publish(d.topic, [d.payload])
                if case let end as TelephonyEvents.CallEnded = d.payload { ended.insert(end.callId) }
            }
        }
        // Hang up whatever is still waiting; the shift ends: everybody signs out, which closes the persistent leg.
        let waiting = callsByIndex.keys.filter { !ended.contains($0) }
        try await publish("cc.telephony.events", waiting.map { TelephonyEvents.CallEnded(callId: $0, at: EventTime(now())) })
        try await publish("cc.telephony.events", agents.filter { $0.role == .agent }.map {
            TelephonyEvents.PresenceChanged(accountId: $0.id, presence: .signedOut, at: EventTime(now())) })
        let closeBy = ContinuousClock.now + .seconds(15)
        while !openLegs.isEmpty && ContinuousClock.now < closeBy {
            for m in try await decisions.poll(maxMessages: 500, timeout: .milliseconds(100)) {
                guard let e = try? CloudEventCodec.decode(value: m.value, headers: m.headers.map { ($0.key, $0.value) }),
                      e.attributes.tenantID == o.tenant else { continue }
                seen[e.attributes.type, default: 0] += 1
                react(to: e, callsByIndex: callsByIndex, ended: &ended)
            }
            try await publishDue()
        }
        try await summary()
    }

    /// What the telephony layer does with a decision or command: rings (or bridges) and plays the agent, connects and
    /// hangs up agent legs (F12).
    func react(to e: DecodedEvent, callsByIndex: [String: Int], ended: inout Set<String>) {
        switch e.event {
        case .channelsChanged(let c): peakChannels = max(peakChannels, c.inUse)
        case .offeredToAgent(let offer):
            if offer.delivery == .persistentLeg { bridged += 1 }
            if offer.announcement != nil { announced += 1 }
            if offer.callCenterId == "payments" && offer.delivery != .softphone { closedQueueToPersonalPhones += 1 }
            schedule(offer, index: callsByIndex[offer.callId] ?? 0)
        case .callRejected(let r): ended.insert(r.callId)
        case .offerCancelled(let c): cancelled[c.reason.rawValue, default: 0] += 1
        case .agentLegOpen(let o):
            openLegs.insert(o.legId)
            pending.append((now().adding(milliseconds: 500),
                            TelephonyEvents.AgentLegConnected(accountId: o.accountId, legId: o.legId, at: EventTime(now().adding(milliseconds: 500))),
                            "cc.telephony.events"))
        case .agentLegClose(let c):
            openLegs.remove(c.legId)
            pending.append((now().adding(milliseconds: 100),
                            TelephonyEvents.AgentLegDisconnected(accountId: c.accountId, legId: c.legId, at: EventTime(now().adding(milliseconds: 100))),
                            "cc.telephony.events"))
        default: break
        }
    }

    func publishDue() async throws {
        let due = pending.filter { $0.due <= now() }
        pending.removeAll { $0.due <= now() }
        for d in due { try await publish(d.topic, [d.payload]) }
    }

    /// How the agent reacts to a ring, by call index: answers (on a personal phone, confirms with 1) and talks, holds
    /// with *0 and *, transfers with #number, parks with #700, declines with 9 (F13), lets a voicemail answer (F14), or
    /// does not answer (the ACD tries the next agent). A call bridged onto a persistent leg is answered at once (F12).
    func schedule(_ offer: RoutingEvents.OfferedToAgent, index: Int) {
        let t = now()
        func at(_ ms: Int64) -> Timestamp { t.adding(milliseconds: ms) }
        func later(_ ms: Int64, _ p: any EventPayload) { pending.append((at(ms), p, "cc.telephony.events")) }
        func keys(_ s: String, from ms: Int64) {
            for (i, k) in s.enumerated() {
                later(ms + Int64(i) * 150, TelephonyEvents.Dtmf(callId: offer.callId, accountId: offer.accountId, key: String(k),
                                                                 at: EventTime(at(ms + Int64(i) * 150))))
            }
        }
        if index % 7 == 3 && offer.attempt == 1 {
            later(800, TelephonyEvents.AgentNoAnswer(callId: offer.callId, accountId: offer.accountId, reason: .rejected,
                                                     at: EventTime(at(800))))
            return
        }
        let answerAfter: Int64 = offer.delivery == .persistentLeg ? 100 : 600
        later(answerAfter, TelephonyEvents.AgentAnswered(callId: offer.callId, accountId: offer.accountId, at: EventTime(at(answerAfter))))
        if offer.delivery == .externalNumber && offer.attempt == 1 {
            // The first personal-phone offer is declined, the second answered by the phone's voicemail, then every
            // eleventh: each rule shows in every run.
            externalOffers += 1
            if externalOffers == 1 || index % 11 == 6 { keys("9", from: 800); return }  // F13: offered to the next agent at once
            if externalOffers == 2 || index % 11 == 9 {                                 // F14: taken back, a no-answer
                later(900, TelephonyEvents.AgentVoicemailDetected(callId: offer.callId, accountId: offer.accountId, at: EventTime(at(900))))
                return
            }
        }
        if offer.delivery == .externalNumber { keys("1", from: 800) }  // F5: answer confirmed
        let external = offer.delivery != .softphone
        var endAfter: Int64 = 2_500 + Int64(index % 5) * 700
        switch index % 7 {
        case 1 where external:
            keys("*0", from: 1_000); keys("*", from: 5_000); endAfter = 9_000   // F6 hold and release
        case 2 where external:
            keys("#0312345678", from: 1_000); endAfter = 6_500                  // F9 blind transfer
        case 4 where external:
            keys("#700", from: 1_000); endAfter = 5_500                         // F7 park
        case 5:
            if !external {
                later(1_000, TelephonyEvents.HoldChanged(callId: offer.callId, accountId: offer.accountId, held: true, at: EventTime(at(1_000))))
                later(2_000, TelephonyEvents.HoldChanged(callId: offer.callId, accountId: offer.accountId, held: false, at: EventTime(at(2_000))))
            }
        default:
            break
        }
        later(endAfter, TelephonyEvents.CallEnded(callId: offer.callId, at: EventTime(at(endAfter))))
    }

    var declined: Int { cancelled[NoAnswerReason.declined.rawValue] ?? 0 }
    var voicemail: Int { cancelled[NoAnswerReason.voicemail.rawValue] ?? 0 }

    func summary() async throws {
        say("\nWhat the services decided (tenant \(o.tenant)):")
        let names: [(String, String)] = [
            ("cc.routing.offered-to-agent.v1", "offers to agents"), ("cc.routing.call-queued.v1", "calls queued"),
            ("cc.routing.call-rejected.v1", "calls refused at the channel limit"),
            ("cc.routing.offer-cancelled.v1", "offers cancelled"), ("cc.routing.agent-no-answer.v1", "agent no-answers"),
            ("cc.call.hold.v1", "holds by keys"), ("cc.call.unhold.v1", "hold releases by keys"),
            ("cc.call.transfer.v1", "transfers"), ("cc.call.park.v1", "parks"), ("cc.call.dtmf-rejected.v1", "rejected key sequences"),
            ("cc.usage.channels-changed.v1", "channel changes"),
            ("cc.call.agent-leg-open.v1", "persistent legs dialled (F12)"), ("cc.call.agent-leg-close.v1", "persistent legs closed (F12)"),
        ]
        func line(_ label: String, _ value: String) { say("  \(label.padding(toLength: 50, withPad: " ", startingAt: 0)) \(value)") }
        for (type, label) in names { line(label, "\(seen[type] ?? 0)") }
        line("calls bridged onto a persistent leg (F12)", "\(bridged)")
        line("offers declined with 9 (F13)", "\(declined)")
        line("voicemail answers taken back (F14)", "\(voicemail)")
        line("deliveries announced to personal phones (F15)", "\(announced)")
        line("Payments calls to personal phones (F16)", "\(closedQueueToPersonalPhones)")
        line("peak channels in use", "\(peakChannels) of 8")
        // Each call is one trace (W3C traceparent), passed on by the services to everything derived from it.
        if let trace = TraceParent.traceID(of: traceparent(call: "call-\(runID)-0", event: 1)) {
            say("  follow the first call through every topic: ccctl tail cc.routing.decisions --trace \(trace)")
        }
        if let url = o.reportBase {
            try? await Task.sleep(for: .seconds(2))
            if let charges = await get("\(url)/reports/charges?tenant=\(o.tenant)&format=csv") {
                say("\nCharges for forwarded legs and persistent legs (report-service, P3):")
                for line in charges.split(separator: "\r\n") { say("  \(line)") }
            }
        }
    }

    func get(_ url: String) async -> String? {
        guard let u = URL(string: url) else { return nil }
        var request = URLRequest(url: u)
        if let token = ProcessInfo.processInfo.environment["CC_ACCESS_TOKEN"] {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        guard let (data, r) = try? await URLSession.shared.data(for: request) else { return nil }
        let status = (r as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            say("  (report-service answered \(status)\(status == 401 ? ": set CC_ACCESS_TOKEN to a supervisor token" : ""))")
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// librdkafka properties from `KAFKA_PROPERTY_*` (a secured cluster's settings), as the services read them.
let kafkaProperties = KafkaConfiguration.properties(fromEnvironment: ProcessInfo.processInfo.environment)
/// Runs the async `run()` of a parsed subcommand (on an existential the compiler picks the synchronous one, which
/// only prints the help).
func runAsync<Command: AsyncParsableCommand>(_ command: Command) async throws {
    var command = command
    try await command.run()
}

do {
    var command = try CCSim.parseAsRoot()
    if let asyncCommand = command as? any AsyncParsableCommand { try await runAsync(asyncCommand) } else { try command.run() }
} catch {
    let code = CCSim.exitCode(for: error)
    let message = CCSim.fullMessage(for: error)
    if code == .success {
        if !message.isEmpty { say(message) }
        exit(0)
    }
    FileHandle.standardError.write(Data("cc-sim: \(message)\n".utf8))
    // Usage errors exit 2, as they always did; a failed run 1.
    exit(code == .validationFailure ? 2 : 1)
}

/// FNV-1a, 64 bits: a stable hash (Swift's `Hasher` is seeded per process).
struct FNV1a {
    private(set) var value: UInt64 = 14_695_981_039_346_656_037
    mutating func add(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 1_099_511_628_211
        }
    }
}
