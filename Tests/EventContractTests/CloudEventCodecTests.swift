import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

@Suite("CloudEvents codec and schemas")
struct CloudEventCodecTests {
    @Test("there is a sample of every contract type, and each round-trips through structured JSON")
    func roundTrip() throws {
        let types = Samples.all.map { type(of: $0).eventType }
        #expect(Set(types) == Set(ContractEvent.allTypes))
        #expect(types.count == ContractEvent.allTypes.count)
        for (i, p) in Samples.every.enumerated() {
            let bytes = Samples.encode(p, id: "e\(i)")
            let d = try CloudEventCodec.decode(value: bytes, headers: [("content-type", Array("application/cloudevents+json".utf8))])
            #expect(d.attributes == EventAttributes(id: "e\(i)", source: "/tests", type: type(of: p).eventType,
                                                    time: Samples.t, tenantID: "tenant-a", subject: "s"))
            #expect(d.event.type == type(of: p).eventType)
            #expect(Samples.encode(d.event.payload, id: "e\(i)") == bytes, "\(type(of: p).eventType) re-encodes identically")
        }
    }

    @Test("attributes with quotes, backslashes, control characters and non-ASCII text survive the hand-written envelope")
    func escaping() throws {
        let odd = "a\"b\\c\n\t\u{01}\u{1F}/ü東京🙂"
        let bytes = CloudEventCodec.encode(Samples.all[0], id: odd, source: "/x\"y", time: Samples.t, tenantID: "t\\1", subject: odd)
        #expect((try? JSONSerialization.jsonObject(with: Data(bytes))) != nil, "valid JSON")
        let d = try CloudEventCodec.decode(value: bytes, headers: [])
        #expect(d.attributes.id == odd && d.attributes.subject == odd && d.attributes.source == "/x\"y" && d.attributes.tenantID == "t\\1")
    }

    @Test("binary mode: attributes in ce_* headers, data as the value")
    func binaryMode() throws {
        let value = #"{"callId":"c1","callCenterId":"cc1","callerNumber":"+81311112222","dialedNumber":"+81312345678","at":"2026-11-30T09:00:00+09:00"}"#
        let headers: [(key: String, value: [UInt8]?)] = [
            ("ce_specversion", Array("1.0".utf8)), ("ce_id", Array("b1".utf8)), ("ce_source", Array("/pbx".utf8)),
            ("ce_type", Array("cc.call.offered.v1".utf8)), ("ce_time", Array("2026-11-30T00:00:00Z".utf8)),
            ("ce_tenantid", Array("tenant-a".utf8)), ("content-type", Array("application/json".utf8)),
        ]
        let d = try CloudEventCodec.decode(value: Array(value.utf8), headers: headers)
        guard case .callOffered(let offered) = d.event else { Issue.record("wrong type"); return }
        #expect(offered.callId == "c1" && d.attributes.id == "b1" && d.attributes.tenantID == "tenant-a")
        #expect(offered.at.timestamp == RFC3339.parse("2026-11-30T00:00:00Z"))
    }

    @Test("the W3C traceparent (distributed-tracing extension) is read in structured and binary mode and written back; an invalid or non-string one is ignored, the event kept")
    func traceparent() throws {
        let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let offered = TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222",
                                                  dialedNumber: "+81399990000", at: EventTime(Timestamp(seconds: 1_800_000_000)))
        let value = CloudEventCodec.encode(offered, id: "e1", source: "/t", time: Timestamp(seconds: 1_800_000_000), tenantID: "t1",
                                           subject: nil, traceparent: trace)
        #expect(String(decoding: value, as: UTF8.self).contains(#""traceparent":"\#(trace)""#))
        let decoded = try CloudEventCodec.decode(value: value, headers: [])
        #expect(decoded.attributes.traceparent == trace)
        #expect(CloudEventCodec.encode(decoded.event, attributes: decoded.attributes) == value, "re-encodes to the same bytes")
        let data = Array(String(decoding: value, as: UTF8.self).split(separator: #""data":"#).last!.dropLast().utf8)
        let binary = try CloudEventCodec.decode(value: data, headers: [
            ("ce_specversion", Array("1.0".utf8)), ("ce_id", Array("e2".utf8)), ("ce_source", Array("/t".utf8)),
            ("ce_type", Array("cc.call.offered.v1".utf8)), ("ce_time", Array("2027-01-15T08:00:00Z".utf8)),
            ("ce_tenantid", Array("t1".utf8)), ("ce_traceparent", Array(trace.utf8))])
        #expect(binary.attributes.traceparent == trace)
        for bad in ["\"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"", "\"00-00000000000000000000000000000000-00f067aa0ba902b7-01\"",
                    "\"00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01\"", "\"garbage\"", "17", "true"] {
            let text = String(decoding: value, as: UTF8.self).replacingOccurrences(of: "\"\(trace)\"", with: bad)
            let event = try CloudEventCodec.decode(value: Array(text.utf8), headers: [])
            #expect(event.attributes.traceparent == nil, "\(bad) is ignored")
        }
        #expect(!String(decoding: CloudEventCodec.encode(offered, id: "e1", source: "/t", time: Timestamp(seconds: 1_800_000_000),
                                                         tenantID: "t1", subject: nil, traceparent: "nonsense"), as: UTF8.self)
                    .contains("traceparent"), "an invalid one is never written")
    }

    @Test("structured mode with data_base64 (the CloudEvents SDKs' form for bytes data) decodes like data; bad base64 is refused")
    func dataBase64() throws {
        let data = #"{"callId":"c1","at":"2026-11-30T00:00:00Z"}"#
        let encoded = Data(data.utf8).base64EncodedString()
        func envelope(_ body: String) -> [UInt8] {
            Array(#"{"specversion":"1.0","id":"b64","source":"/sdk","type":"cc.call.ended.v1","time":"2026-11-30T00:00:00Z","tenantid":"t",\#(body)}"#.utf8)
        }
        let d = try CloudEventCodec.decode(value: envelope(#""data_base64":"\#(encoded)""#), headers: [])
        guard case .callEnded(let ended) = d.event else { Issue.record("wrong type"); return }
        #expect(ended.callId == "c1" && d.attributes.source == "/sdk")
        for body in [#""data_base64":"%%%not base64""#, #""data_base64":"\#(Data("{}".utf8).base64EncodedString())""#] {
            let error = #expect(throws: EventDecodingError.self) { try CloudEventCodec.decode(value: envelope(body), headers: []) }
            #expect(error?.code == .schemaViolation)
        }
    }

    @Test("what is not a valid event is classified for the dead-letter topic", arguments: [
        ("{not json", EventDecodingError.Code.invalidJSON),
        ("[1,2,3]", .notACloudEvent),
        (#"{"hello":"world"}"#, .notACloudEvent),
        (#"{"specversion":"0.3","id":"x","source":"/s","type":"cc.call.ended.v1","time":"2026-01-01T00:00:00Z","tenantid":"t","data":{}}"#, .notACloudEvent),
        (#"{"specversion":"1.0","id":"x","source":"/s","type":"cc.call.ended.v1","time":"yesterday","tenantid":"t","data":{}}"#, .notACloudEvent),
        (#"{"specversion":"1.0","id":"x","source":"/s","type":"cc.call.ended.v1","time":"2026-01-01T00:00:00Z","data":{}}"#, .notACloudEvent),
        (#"{"specversion":"1.0","id":"x","source":"/s","type":"cc.nope.v1","time":"2026-01-01T00:00:00Z","tenantid":"t","data":{}}"#, .unknownType),
        (#"{"specversion":"1.0","id":"x","source":"/s","type":"cc.call.ended.v1","time":"2026-01-01T00:00:00Z","tenantid":"t","data":{}}"#, .schemaViolation),
        (#"{"specversion":"1.0","id":"x","source":"/s","type":"cc.call.ended.v1","time":"2026-01-01T00:00:00Z","tenantid":"t"}"#, .schemaViolation),
        (#"{"specversion":"1.0","id":"x","source":"/s","type":"cc.call.dtmf.v1","time":"2026-01-01T00:00:00Z","tenantid":"t","data":{"callId":"c","accountId":"a","key":"A","at":"2026-01-01T00:00:00Z"}}"#, .schemaViolation),
        (#"{"specversion":"1.0","id":"x","source":"/s","type":"cc.agent.presence-changed.v1","time":"2026-01-01T00:00:00Z","tenantid":"t","data":{"accountId":"a","presence":"asleep","at":"2026-01-01T00:00:00Z"}}"#, .schemaViolation),
        (#"{"specversion":"1.0","id":"x","source":"/s","type":"cc.tenant.configured.v1","time":"2026-01-01T00:00:00Z","tenantid":"t","data":{"tenantId":"t","concurrentCallLimit":-5,"platformVersion":"3.2.0","callbackDialingOption":true,"allowInternationalForwarding":false,"rates":{"mobileYenPerMinute":1,"landlineYenPerMinute":1,"ipPhoneYenPerMinute":1,"billingIncrementSeconds":30}}}"#, .schemaViolation),
    ])
    func classification(value: String, code: EventDecodingError.Code) {
        #expect { try CloudEventCodec.decode(value: Array(value.utf8), headers: []) } throws: { error in
            (error as? EventDecodingError)?.code == code
        }
    }

    @Test("RFC 3339 times parse with offsets and fractions, and format as UTC milliseconds")
    func times() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == Timestamp(millisecondsSinceEpoch: 0))
        #expect(RFC3339.parse("2026-11-30T09:00:00.5+09:00") == RFC3339.parse("2026-11-30T00:00:00.500Z"))
        #expect(RFC3339.parse("2024-02-29T12:00:00Z") != nil)
        // Found by the fuzzer: more than three fraction digits crashed the parser.
        #expect(RFC3339.parse("2026-11-30T00:00:00.123456789Z") == RFC3339.parse("2026-11-30T00:00:00.123Z"))
        #expect(RFC3339.parse("2026-11-30T00:00:00.1234+09:00") != nil)
        #expect(RFC3339.parse("2023-02-29T12:00:00Z") == nil)
        #expect(RFC3339.parse("2026-13-01T00:00:00Z") == nil)
        #expect(RFC3339.parse("2026-11-30 00:00:00") == nil)
        let t = Timestamp(millisecondsSinceEpoch: 1_795_000_123_456)
        #expect(RFC3339.parse(RFC3339.format(t)) == t)
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: -1)) == "1969-12-31T23:59:59.999Z")
    }

    @Test("formatting writes what Foundation's Gregorian calendar says (years 1600-9999) and parses back (years 0-9999)")
    func formatAgainstFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var rng = SystemRandomNumberGenerator()
        // Foundation's calendar switches to the Julian one before 1582: compared from 1600 on.
        let from1600: Int64 = -11_676_096_000_000, to9999: Int64 = 253_402_300_799_999, from0: Int64 = -62_167_219_200_000
        for i in 0..<20_000 {
            let ms = i < 10_000 ? Int64.random(in: from1600...to9999, using: &rng) : Int64.random(in: from0...to9999, using: &rng)
            let t = Timestamp(millisecondsSinceEpoch: ms)
            let text = RFC3339.format(t)
            #expect(RFC3339.parse(text) == t, "\(ms): \(text)")
            guard ms >= from1600 else { continue }
            let seconds = ms >= 0 || ms % 1_000 == 0 ? ms / 1_000 : ms / 1_000 - 1
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let expected = String(format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ld.%03ldZ", c.year!, c.month!, c.day!, c.hour!, c.minute!,
                                  c.second!, Int(ms - seconds * 1_000))
            #expect(text == expected, "\(ms)")
        }
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: from0)) == "0000-01-01T00:00:00.000Z")
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: to9999)) == "9999-12-31T23:59:59.999Z")
        #expect(RFC3339.format(Timestamp(millisecondsSinceEpoch: to9999 + 1)) == "10000-01-01T00:00:00.000Z", "wider years: the general form")
    }

    @Test("events the Swift code encodes validate against docs/schemas with an independent validator (Python jsonschema)")
    func schemas() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("events"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (i, p) in Samples.every.enumerated() {
            try Data(Samples.encode(p, id: "e\(i)")).write(to: dir.appendingPathComponent("\(type(of: p).eventType)-\(i).json"))
        }
        let ok = try await Validator.run(["events", dir.path])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("\(Samples.every.count) events checked, 0 problems"))
        // The validator really rejects a broken event (so the pass above means something).
        let broken = dir.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        let bad = String(decoding: Samples.encode(TelephonyEvents.Dtmf(callId: "c", accountId: "a", key: "*", at: Samples.at), id: "x"),
                         as: UTF8.self).replacingOccurrences(of: #""key":"*""#, with: #""key":"**""#)
        try Data(bad.utf8).write(to: broken.appendingPathComponent("bad.json"))
        #expect(try await Validator.run(["events", broken.path]).status == 1)
    }

    @Test("docs/asyncapi.yaml parses and names every topic of the contract")
    func asyncAPI() async throws {
        let r = try await Validator.run(["asyncapi"])
        #expect(r.status == 0, "\(r.output)")
    }
}

/// Runs scripts/validate-events.py with the project's virtualenv.
enum Validator {
    static func run(_ args: [String]) async throws -> (status: Int32, output: String) {
        let root = TestBroker.projectRoot
        return try await runProgram(root.appendingPathComponent(".venv/bin/python"),
                              [root.appendingPathComponent("scripts/validate-events.py").path] + args)
    }
}
