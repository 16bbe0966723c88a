import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import TestSupport
import Testing

/// Hostile input on every input topic, against the four services as real processes: every message is
/// dead-lettered exactly once by every service that reads its topic, and nothing else changes.
@Suite("Hostile corpus over every input topic and every consumer", .serialized)
struct HostileCorpusTests {
    static let tenant = "tenant-h"

    /// Each input topic, who reads it, and a valid event of a type the topic accepts.
    static let topics: [(topic: String, consumers: Set<String>, valid: any EventPayload)] = {
        let t0 = TestEvents.t0
        return [
            ("cc.config", ["settings-service", "routing-service", "status-service", "report-service"],
             ConfigEvents.AccountConfigured(Account(id: "corpus", tenantID: tenant, name: "x", role: .agent, extension: "299",
                                                    editableCallCenterIDs: []))),
            ("cc.settings.commands", ["settings-service"],
             SettingsEvents.ChangeRequested(requestId: "corpus", actorAccountId: "admin", screen: .account, callCenterId: nil,
                                            targetAccountId: "agent1", device: ContractDevice(kind: .softphone))),
            ("cc.settings.events", ["routing-service", "status-service"],
             SettingsEvents.Changed(DeviceChange(requestID: "corpus", accountID: "agent1", previous: .softphone, current: .softphone,
                                                 actorAccountID: "admin", screen: .account, callCenterID: nil, warnings: [],
                                                 disabledFeatures: [], at: t0, revision: 9))),
            ("cc.telephony.events", ["routing-service", "status-service", "report-service"],
             TelephonyEvents.CallEnded(callId: "corpus", at: EventTime(t0))),
            ("cc.routing.decisions", ["status-service", "report-service"],
             RoutingEvents.CallRejected(callId: "corpus", reason: .concurrentCallLimitReached, at: t0)),
            ("cc.call.commands", ["status-service", "report-service"], CallCommandEvents.Hold(callId: "corpus", accountId: "agent1")),
            ("cc.usage", ["status-service", "report-service"],
             StatusEvents.ChannelsChanged(ChannelChange(callID: "corpus", delta: 1, inUse: 1, limit: 10), at: t0)),
        ]
    }()

    struct Message {
        var topic: String
        var key: String
        var value: [UInt8]
        var headers: [KafkaHeader] = []
        var kind: String
    }

    static func encode(_ p: any EventPayload, id: String, tenant: String = tenant, time: Timestamp = TestEvents.t0) -> [UInt8] {
        func go<P: EventPayload>(_ p: P) -> [UInt8] {
            CloudEventCodec.encode(p, id: id, source: "/corpus", time: time, tenantID: tenant, subject: nil)
        }
        return go(p)
    }

    /// The valid event as a dictionary, changed by `edit`, written back (`"__HUGE__"` becomes a number no type holds).
    static func edited(_ valid: [UInt8], nest: String = "", _ edit: (inout [String: Any]) -> Void) -> [UInt8] {
        var object = (try? JSONSerialization.jsonObject(with: Data(valid))) as? [String: Any] ?? [:]
        edit(&object)
        let text = String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        return Array(text.replacingOccurrences(of: #""__HUGE__""#, with: "1e400").replacingOccurrences(of: #""__NEST__""#, with: nest).utf8)
    }

    /// At least 40 messages per topic, of every kind the contract refuses.
    static func corpus() -> [Message] {
        var out: [Message] = []
        for (n, entry) in topics.enumerated() {
            let topic = entry.topic
            var serial = 0
            func id() -> String { serial += 1; return "hostile-\(n)-\(serial)" }
            func add(_ kind: String, _ value: [UInt8], key: String = tenant, headers: [KafkaHeader] = []) {
                // Unique bytes per message (dead letters are matched to it by payload): trailing white space, which
                // changes neither valid nor broken JSON.
                let padded = value + Array(repeating: UInt8(ascii: " "), count: out.count)
                out.append(Message(topic: topic, key: key, value: padded, headers: headers, kind: kind))
            }
            let valid = { encode(entry.valid, id: id()) }
            // Invalid JSON: truncations.
            for cut in [1, 5, 17, 40, 80] { add("invalidJSON", Array(valid().prefix(cut))) }
            // Not an object.
            for text in ["[]", "42", "\"text\"", "null", "true"] { add("notAnObject", Array("\(text)\(String(repeating: " ", count: n))".utf8)) }
            // Invalid UTF-8 inside a string, and a lone surrogate escape.
            add("invalidUTF8", edited(valid(), { $0["id"] = "bad-utf8-\(n)" }).map { $0 == UInt8(ascii: "u") ? 0xFF : $0 })
            add("invalidUTF8", Array(#"{"specversion":"1.0","id":"\#(id())\#u{1}","source":"/x","type":"\#(type(of: entry.valid).eventType)","time":"2027-01-15T08:00:00Z","tenantid":"tenant-h","data":{}}"#.utf8).map { $0 == 1 ? 0xC3 : $0 })
            // Deep nesting: in the data, and in an extension attribute.
            add("deepNesting", edited(valid(), nest: String(repeating: "[", count: 2_000) + String(repeating: "]", count: 2_000)) {
                $0["data"] = "__NEST__"
            })
            add("deepNesting", edited(valid(), nest: String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100)) {
                $0["ext"] = "__NEST__"
            })
            // Missing attributes.
            for attribute in ["specversion", "id", "source", "type", "time", "tenantid"] {
                add("missingAttribute", edited(valid(), { $0.removeValue(forKey: attribute) }))
            }
            // Extra attributes that no CloudEvent may have (objects and arrays), and wrong attribute types.
            add("extraAttribute", edited(valid(), { $0["traceinfo"] = ["a": 1] }))
            add("extraAttribute", edited(valid(), { $0["tags"] = [1, 2] }))
            add("wrongAttributeType", edited(valid(), { $0["id"] = 42 }))
            add("wrongAttributeType", edited(valid(), { $0["time"] = "yesterday" }))
            // Wrong data types, and numbers and strings beyond any field.
            add("wrongDataType", edited(valid(), { $0["data"] = "a string" }))
            add("wrongDataType", edited(valid(), { $0["data"] = [1, 2, 3] }))
            add("wrongDataType", edited(valid(), { o in
                var d = o["data"] as? [String: Any] ?? [:]
                for k in d.keys { d[k] = [k] }
                o["data"] = d
            }))
            add("hugeNumber", edited(valid(), { o in
                var d = o["data"] as? [String: Any] ?? [:]
                for k in d.keys { d[k] = "__HUGE__" }
                o["data"] = d
            }))
            add("hugeString", edited(valid(), { $0["id"] = String(repeating: "i", count: 300) }))
            add("hugeString", edited(valid(), { $0["tenantid"] = String(repeating: "t", count: 150) }))
            add("hugeString", edited(valid(), { o in
                var d = o["data"] as? [String: Any] ?? [:]
                for k in d.keys { d[k] = String(repeating: "9", count: 20_000) }
                o["data"] = d
            }))
            // Right event, wrong topic (a type of the next topic), wrong key, unconfigured tenant, far future.
            let other = topics[(n + 1) % topics.count].valid
            add("wrongTopic", encode(other, id: id()))
            // A configuration type anywhere but cc.config; on cc.config, a settings command.
            let foreign: any EventPayload = topic == "cc.config" ? topics[1].valid : ConfigEvents.TenantConfigured(Tenant(
                id: tenant, concurrentCallLimit: 1, platformVersion: PlatformVersion("3.2.0")!, callbackDialingOption: true,
                allowInternationalForwarding: true,
                rates: ChargeRates(mobileYenPerMinute: 1, landlineYenPerMinute: 1, ipPhoneYenPerMinute: 1, billingIncrementSeconds: 1)))
            add("wrongTopic", encode(foreign, id: id()))
            add("wrongKey", valid(), key: "tenant-a")
            add("wrongKey", valid(), key: "TENANT-H")
            if topic != "cc.config" {
                add("unconfiguredTenant", encode(entry.valid, id: id(), tenant: "ghost-\(n)"), key: "ghost-\(n)")
            }
            add("farFuture", encode(entry.valid, id: id(), time: Timestamp(seconds: 4_102_444_800)))  // 2100-01-01
            // Binary mode with bad headers.
            let data = Array(#"{"callId":"c1","at":"2027-01-15T08:00:00Z"}"#.utf8)
            func ce(_ pairs: [(String, String)]) -> [KafkaHeader] { pairs.map { KafkaHeader(key: $0.0, string: $0.1) } }
            let good = [("ce_specversion", "1.0"), ("ce_id", "b"), ("ce_source", "/x"), ("ce_type", type(of: entry.valid).eventType),
                        ("ce_time", "2027-01-15T08:00:00Z"), ("ce_tenantid", tenant), ("content-type", "application/json")]
            func without(_ name: String) -> [(String, String)] { good.filter { $0.0 != name }.map { ($0.0, $0.0 == "ce_id" ? id() : $0.1) } }
            func replacing(_ name: String, _ value: String) -> [(String, String)] {
                good.map { ($0.0, $0.0 == name ? value : ($0.0 == "ce_id" ? id() : $0.1)) }
            }
            add("binaryHeaders", data, headers: ce(without("ce_id")))
            add("binaryHeaders", data, headers: ce(without("ce_tenantid")))
            add("binaryHeaders", data, headers: ce(replacing("ce_time", "not a time")))
            add("binaryHeaders", data, headers: ce(replacing("ce_type", "cc.no-such.v1")))
            add("binaryHeaders", data, headers: ce(replacing("ce_specversion", "0.3")))
            add("binaryHeaders", data, headers: ce(replacing("ce_tenantid", "tenant-a")))
            add("binaryHeaders", Array("not json".utf8), headers: ce(replacing("ce_id", id())))
        }
        return out
    }

    static func configure(_ h: ServiceHarness) async throws { try await h.configureSupportTenant(tenant) }

    /// What each service shows of the tenant.
    static func views(_ h: ServiceHarness) async -> [String] {
        var out: [String] = []
        for (service, path) in [("settings-service", "/api/accounts"), ("settings-service", "/api/audit"), ("routing-service", "/api/agents"),
                                ("routing-service", "/api/channels"), ("status-service", "/api/monitor"),
                                ("report-service", "/reports/callcenter"), ("report-service", "/reports/channels")] {
            out.append("\(service)\(path): \(await h.services[service]?.get("\(path)?tenant=\(tenant)")?.body ?? "-")")
        }
        return out
    }

    static let outputs = ["cc.settings.events", "cc.routing.decisions", "cc.call.commands", "cc.agent.status", "cc.usage"]

    @Test("at least 200 hostile messages over the seven input topics (invalid JSON, not objects, invalid UTF-8, deep nesting, missing, extra and mistyped attributes, wrong data types, huge numbers and strings, wrong topic, wrong key, unconfigured tenant, far-future time, binary mode with bad headers): each dead-lettered exactly once by every consumer of its topic; views and other outputs unchanged")
    func corpusOverEveryTopic() async throws {
        let h = try ServiceHarness()
        for name in ["settings-service", "routing-service", "status-service", "report-service"] { try await h.start(name) }
        try await Self.configure(h)
        try await eventually("every service has the tenant") {
            let v = await Self.views(h)
            return v[0].contains("agent1") && v[2].contains("agent1") && v[4].contains("agent1") && v[6].contains(#""limit" : 10"#)
        }
        let before = await Self.views(h)
        var outputsBefore: [String: Int] = [:]
        // What the services wrote (the corpus itself writes to topics that are also outputs).
        func written(_ topic: String) async throws -> [DecodedEvent] {
            try await h.read(topic, timeout: .seconds(2)) { _ in false }.filter { $0.attributes.source != "/corpus" }
        }
        for topic in Self.outputs { outputsBefore[topic] = try await written(topic).count }

        let corpus = Self.corpus()
        #expect(corpus.count >= 200)
        #expect(Set(corpus.map(\.topic)).count == Self.topics.count)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(common: KafkaConfiguration(bootstrapServers: h.brokers)))
        try await producer.send(batch: corpus.map {
            OutgoingMessage(topic: h.topic($0.topic), key: Array($0.key.utf8), value: $0.value, headers: $0.headers)
        })
        let consumers = Dictionary(uniqueKeysWithValues: Self.topics.map { ($0.topic, $0.consumers) })
        let expected = corpus.reduce(0) { $0 + consumers[$1.topic]!.count }
        let letters = try await h.read("cc.deadletter", timeout: .seconds(120)) { $0.count >= expected }
            .compactMap { e -> StatusEvents.DeadLetter? in if case .deadLetter(let d) = e.event { d } else { nil } }
        // Which message each dead letter is (by its bytes), and who wrote it.
        var byPayload: [Data: Int] = [:]
        for (i, m) in corpus.enumerated() { byPayload[Data(m.value)] = i }
        var seen: [String: Int] = [:]
        var codes: [String: Set<String>] = [:]
        for d in letters {
            let index = Data(base64Encoded: d.payloadBase64).flatMap { byPayload[$0] }
            let key = "\(d.service) \(index.map(String.init) ?? "?")"
            seen[key, default: 0] += 1
            if let index { codes[corpus[index].kind, default: []].insert(d.error.code) }
        }
        var missing: [String] = []
        for (i, m) in corpus.enumerated() {
            for service in consumers[m.topic]! where seen["\(service) \(i)"] != 1 {
                missing.append("\(service) \(m.topic) \(m.kind) #\(i): \(seen["\(service) \(i)"] ?? 0) dead letters")
            }
        }
        #expect(missing.isEmpty, "\(missing.count) not dead-lettered exactly once: \(missing.prefix(20))")
        #expect(letters.count == expected, "no other dead letters: \(letters.count) for \(expected)")
        #expect(seen["? ", default: 0] == 0)
        #expect(codes["wrongTopic"] == ["typeNotAllowedOnTopic"] && codes["wrongKey"] == ["keyMismatch"])
        #expect(codes["unconfiguredTenant"] == ["tenantNotConfigured"] && codes["farFuture"] == ["eventTimeInFuture"])
        #expect(codes["extraAttribute"] == ["notACloudEvent"] && codes["missingAttribute"] == ["notACloudEvent"])
        print("hostile corpus: \(corpus.count) messages over \(Self.topics.count) topics, \(letters.count) dead letters; codes by kind: \(codes.mapValues { $0.sorted() }.sorted { $0.key < $1.key })")

        for (service, process) in h.services {
            #expect(process.isRunning, "\(service) is still up")
            #expect(await process.get("/readyz")?.status == 200, "\(service) is ready")
        }
        #expect(await Self.views(h) == before, "no view changed")
        for topic in Self.outputs {
            let now = try await written(topic)
            #expect(now.count == outputsBefore[topic], "nothing new on \(topic): \(now.map { "\($0.attributes.type) \($0.attributes.tenantID) \($0.attributes.source)" })")
        }
        await h.stopAll()
    }
}
