import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import TestSupport
import Testing

/// Load and hostile input against routing-service as a real process.
@Suite("Reliability under load and hostile input", .serialized)
struct ReliabilityTests {
    static func at(_ ms: Int) -> EventTime { EventTime(TestEvents.t0.adding(milliseconds: Int64(ms))) }

    /// Tenant `tenant` with `agents` agents (every third on a mobile), all available.
    static func setUp(_ h: ServiceHarness, tenant: String, limit: Int, agents: Int) async throws -> ServiceProcess {
        let routing = try #require(h.services["routing-service"])
        let ids = (0..<agents).map { "ag\($0)" }
        var devices: [String: SignInDevice] = [:]
        for (i, id) in ids.enumerated() where i % 3 == 0 {
            devices[id] = .externalNumber(try PhoneNumber.parse(String(format: "090%08d", i)), .mobile)
        }
        try await RoutingServiceTests.setUp(h, tenant: tenant, limit: limit, members: devices, order: ids)
        try await eventually("all agents available") {
            (await routing.get("/api/agents?tenant=\(tenant)")?.body ?? "").components(separatedBy: "\"available\"").count - 1 == agents
        }
        return routing
    }

    static func channelChanges(_ events: [DecodedEvent], tenant: String) -> [StatusEvents.ChannelsChanged] {
        events.compactMap { e in
            if case .channelsChanged(let c) = e.event, e.attributes.tenantID == tenant { c } else { nil }
        }
    }

    @Test("F3 1,000 calls offered within one second to a tenant with limit 100: never more than 100 channels, all back to 0")
    func load() async throws {
        let h = try ServiceHarness()
        try await h.start("routing-service")
        let routing = try await Self.setUp(h, tenant: "tenant-l", limit: 100, agents: 150)
        try await h.publish("cc.telephony.events", tenant: "tenant-l", (0..<1_000).map {
            TelephonyEvents.CallOffered(callId: "c\($0)", callCenterId: "cc1", callerNumber: "+81311112222",
                                        dialedNumber: "+81399990000", at: Self.at($0)) })
        let decisions = try await h.read("cc.routing.decisions", timeout: .seconds(90)) { events in
            events.filter { if case .callRejected = $0.event { true } else if case .callQueued = $0.event { true }
                            else if case .offeredToAgent = $0.event { true } else { false } }.count >= 1_000 }
        let offered = decisions.filter { if case .offeredToAgent = $0.event { true } else { false } }.count
        let rejected = decisions.filter { if case .callRejected = $0.event { true } else { false } }.count
        #expect(offered > 0 && rejected > 0 && offered + rejected <= 1_000)
        let ledger = try #require(await routing.get("/api/channels?tenant=tenant-l")).body
        #expect(ledger.contains(#""inUse" : 100"#), "the ledger is full, not over: \(ledger.prefix(80))")
        try await h.publish("cc.telephony.events", tenant: "tenant-l", (0..<1_000).map {
            TelephonyEvents.CallEnded(callId: "c\($0)", at: Self.at(5_000 + $0)) })
        let usage = Self.channelChanges(try await h.read("cc.usage", timeout: .seconds(90)) { events in
            let c = Self.channelChanges(events, tenant: "tenant-l")
            return !c.isEmpty && c.reduce(0) { $0 + $1.delta } == 0 && c.last?.inUse == 0 }, tenant: "tenant-l")
        #expect(usage.allSatisfy { $0.inUse <= 100 && $0.inUse >= 0 }, "channels in use never exceed the limit")
        #expect(usage.map(\.inUse).max() == 100)
        #expect(usage.last?.inUse == 0)
        try await eventually("the ledger is back to 0") {
            (await routing.get("/api/channels?tenant=tenant-l")?.body ?? "").contains(#""inUse" : 0"#)
        }
        await h.stopAll()
    }

    /// A corpus of malformed and malicious messages for the telephony topic, each with what must become of it.
    static func corpus(valid: [UInt8]) -> [(key: String, value: [UInt8], deadLetter: String?)] {
        var c: [(String, [UInt8], String?)] = []
        let text = String(decoding: valid, as: UTF8.self)
        // 60 truncations of a valid event: broken JSON.
        for n in stride(from: 1, to: text.count - 1, by: max(1, text.count / 60)).prefix(60) {
            c.append(("tenant-h", Array(text.utf8.prefix(n)), "invalidJSON"))
        }
        func event(_ type: String, _ data: String, id: String, tenant: String = "tenant-h", time: String = "2027-01-15T08:00:00Z") -> String {
            #"{"specversion":"1.0","id":"\#(id)","source":"/evil","type":"\#(type)","time":"\#(time)","tenantid":"\#(tenant)","data":\#(data)}"#
        }
        // 40 wrong JSON types.
        let wrong = [#"{"callId":123,"callCenterId":"cc1","callerNumber":"+81311112222","dialedNumber":"x","at":"2027-01-15T08:00:00Z"}"#,
                     #"{"callId":"x","callCenterId":["cc1"],"callerNumber":"+8131","dialedNumber":"x","at":"2027-01-15T08:00:00Z"}"#,
                     #"{"callId":"x","callCenterId":"cc1","callerNumber":null,"dialedNumber":"x","at":"2027-01-15T08:00:00Z"}"#,
                     #"{"callId":"x","callCenterId":"cc1","callerNumber":"+8131","dialedNumber":"x","at":true}"#]
        for i in 0..<40 { c.append(("tenant-h", Array(event("cc.call.offered.v1", wrong[i % 4], id: "w\(i)").utf8), "schemaViolation")) }
        // 10 huge payloads and fields.
        c.append(("tenant-h", Array(repeating: UInt8(ascii: "x"), count: 900_000), "invalidJSON"))  // producers refuse > 1 MB
        for i in 0..<9 {
            let big = String(repeating: "9", count: 5_000 * (i + 1))
            c.append(("tenant-h", Array(event("cc.call.offered.v1", #"{"callId":"\#(big)","callCenterId":"cc1","callerNumber":"+8131","dialedNumber":"x","at":"2027-01-15T08:00:00Z"}"#, id: "h\(i)").utf8), "schemaViolation"))
        }
        // 20 negative or absurd numbers, out-of-range times.
        for i in 0..<10 {
            c.append(("tenant-h", Array(event("cc.tenant.configured.v1", #"{"tenantId":"tenant-h","concurrentCallLimit":-\#(i + 1),"platformVersion":"3.2.0","callbackDialingOption":true,"allowInternationalForwarding":true,"rates":{"mobileYenPerMinute":1,"landlineYenPerMinute":1,"ipPhoneYenPerMinute":1,"billingIncrementSeconds":30}}"#, id: "n\(i)").utf8), "schemaViolation"))
            c.append(("tenant-h", Array(event("cc.call.ended.v1", #"{"callId":"c1","at":"2027-02-30T08:00:00Z"}"#, id: "t\(i)").utf8), "schemaViolation"))
        }
        // 20 keys that are not the event's tenant (another tenant's ids under a forged key), and the reverse.
        for i in 0..<20 {
            c.append(("tenant-a", Array(event("cc.call.ended.v1", #"{"callId":"c1","at":"2027-01-15T08:00:00Z"}"#, id: "k\(i)").utf8), "keyMismatch"))
        }
        // 20 not CloudEvents / unknown types; unicode tricks in attributes.
        for i in 0..<10 {
            c.append(("tenant-h", Array(#"{"specversion":"2.0","id":"v\#(i)"}"#.utf8), "notACloudEvent"))
            c.append(("tenant-h", Array(event("cc.call.offered.v1\u{200B}", "{}", id: "u\(i)").utf8), "unknownType"))
        }
        // 20 keys with invalid DTMF, unicode digits.
        for (i, key) in ["A", "**", "٣", "１", "\u{202E}1", "", " ", "#0", "0\u{200B}", "ｷ"].enumerated() {
            let data = #"{"callId":"c1","accountId":"ag1","key":"\#(key)","at":"2027-01-15T08:00:00Z"}"#
            c.append(("tenant-h", Array(event("cc.call.dtmf.v1", data, id: "d\(i)").utf8), "schemaViolation"))
            c.append(("tenant-h", Array(event("cc.call.dtmf.v1", data, id: "e\(i)").utf8), "schemaViolation"))
        }
        // 30 well-formed events that must change nothing: unknown call ids, out of order, duplicates of a valid id.
        for i in 0..<10 {
            c.append(("tenant-h", Array(event("cc.call.agent-answered.v1", #"{"callId":"ghost\#(i)","accountId":"ag1","at":"2027-01-15T08:00:00Z"}"#, id: "g\(i)").utf8), nil))
            c.append(("tenant-h", Array(event("cc.call.dtmf.v1", ##"{"callId":"ghost\##(i)","accountId":"ag1","key":"#","at":"2027-01-15T08:00:00Z"}"##, id: "x\(i)").utf8), nil))
            c.append(("tenant-h", Array(event("cc.call.ended.v1", #"{"callId":"ghost\#(i)","at":"2027-01-15T08:00:00Z"}"#, id: "y\(i)").utf8), nil))
        }
        return c
    }

    @Test("a corpus of 200+ malformed or malicious events: each dead-lettered with its reason or ignored; no crash, no state change")
    func hostileInput() async throws {
        let h = try ServiceHarness()
        try await h.start("routing-service")
        let routing = try await Self.setUp(h, tenant: "tenant-h", limit: 10, agents: 6)
        let before = (await routing.get("/api/agents?tenant=tenant-h")?.body ?? "", await routing.get("/api/channels?tenant=tenant-h")?.body ?? "")
        let valid = CloudEventCodec.encode(TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222",
                                                                       dialedNumber: "+81399990000", at: Self.at(0)),
                                           id: "valid", source: "/t", time: TestEvents.t0, tenantID: "tenant-h", subject: nil)
        let corpus = Self.corpus(valid: valid)
        #expect(corpus.count >= 200)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: h.brokers)))
        try await producer.send(batch: corpus.map { OutgoingMessage(topic: h.topic("cc.telephony.events"), key: $0.key, value: $0.value) })
        let expected = corpus.compactMap(\.deadLetter)
        let dead = try await h.read("cc.deadletter", timeout: .seconds(60)) { $0.count >= expected.count }
        let codes = dead.compactMap { e -> String? in if case .deadLetter(let d) = e.event { d.error.code } else { nil } }
        #expect(Dictionary(grouping: codes, by: { $0 }).mapValues(\.count) == Dictionary(grouping: expected, by: { $0 }).mapValues(\.count))
        let ready = await routing.get("/readyz")?.status
        #expect(routing.isRunning && ready == 200, "still up and ready")
        let after = (await routing.get("/api/agents?tenant=tenant-h")?.body ?? "", await routing.get("/api/channels?tenant=tenant-h")?.body ?? "")
        #expect(after == before, "no state change")
        let decisions = try await h.read("cc.routing.decisions", timeout: .seconds(2)) { _ in false }
        #expect(decisions.isEmpty, "nothing decided on hostile input")
        await h.stopAll()
    }
}

/// The broker paused (SIGSTOP) for 30 s under load, on a broker of the test's own.
@Suite("Broker outage", .serialized)
struct BrokerOutageTests {
    @Test("services stay up, report not ready while the broker is gone, and catch up with nothing lost")
    func pauseBroker() async throws {
        let broker = try TestBroker.startPrivate()
        defer { kill(broker.pid, SIGCONT); kill(broker.pid, SIGKILL) }
        let h = try ServiceHarness(brokers: broker.address)
        try await h.start("routing-service", environment: ["CC_CONNECT_TIMEOUT_MS": "2000"])
        let routing = try await ReliabilityTests.setUp(h, tenant: "tenant-o", limit: 500, agents: 30)
        try await h.publish("cc.telephony.events", tenant: "tenant-o", (0..<100).map {
            TelephonyEvents.CallOffered(callId: "before\($0)", callCenterId: "cc1", callerNumber: "+81311112222",
                                        dialedNumber: "+81399990000", at: ReliabilityTests.at($0)) })
        kill(broker.pid, SIGSTOP)
        let paused = ContinuousClock.now
        // Events keep coming while the broker is away: the producer holds them until it is back.
        let late = Task {
            try await h.publish("cc.telephony.events", tenant: "tenant-o", (0..<100).map {
                TelephonyEvents.CallOffered(callId: "during\($0)", callCenterId: "cc1", callerNumber: "+81311112222",
                                            dialedNumber: "+81399990000", at: ReliabilityTests.at(1_000 + $0)) })
        }
        try await eventually(timeout: .seconds(25), "not ready while the broker is paused") {
            await routing.get("/readyz")?.status == 503
        }
        #expect(routing.isRunning)
        #expect(await routing.get("/healthz")?.status == 200, "alive")
        while ContinuousClock.now - paused < .seconds(30) { try await Task.sleep(for: .milliseconds(200)) }
        kill(broker.pid, SIGCONT)
        try await late.value
        try await eventually(timeout: .seconds(60), "ready again") { await routing.get("/readyz")?.status == 200 }
        let decisions = try await h.read("cc.routing.decisions", timeout: .seconds(90)) { events in
            Set(events.compactMap { e -> String? in
                switch e.event {
                case .offeredToAgent(let o): o.callId
                case .callQueued(let q): q.callId
                case .callRejected(let r): r.callId
                default: nil
                }
            }).count >= 200 }
        let calls = Set(decisions.compactMap { e -> String? in
            switch e.event {
            case .offeredToAgent(let o): o.callId
            case .callQueued(let q): q.callId
            case .callRejected(let r): r.callId
            default: nil
            }
        })
        #expect(calls.count == 200, "every call before and during the outage was decided")
        #expect(routing.isRunning)
        await h.stopAll()
        #expect(routing.exitCode == 0)
    }
}
