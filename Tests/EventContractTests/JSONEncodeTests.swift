import CallCenterDomain
import EventContract
@testable import FastJSON
import Foundation
import PropertyBased
import Testing

/// The fast encoder must write exactly what Foundation's sorted-keys encoder writes (issue 9: JSON
/// encoding was the largest cost per event; issue 11: the same event re-encodes to the same bytes).
@Suite("JSON.encode")
struct JSONEncodeTests {
    let foundation: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    func same<T: Encodable>(_ value: T, _ label: String) throws {
        let fast = try JSON.encode(value)
        let reference = Array(try foundation.encode(value))
        #expect(fast == reference, "\(label): \(String(decoding: fast, as: UTF8.self)) vs \(String(decoding: reference, as: UTF8.self))")
    }

    @Test("every contract payload encodes to the bytes Foundation writes")
    func contractPayloads() throws {
        for p in Samples.every {
            func check<P: EventPayload>(_ p: P) throws { try same(p, P.eventType) }
            try check(p)
        }
    }

    struct Tricky: Codable {
        enum Kind: Codable { case plain, tagged(String, count: Int) }
        var text: String
        var numbers: [Double]
        var ints: [Int64]
        var flags: [String: Bool]
        var nested: [[String: [Int]]]
        var optional: String?
        var present: Int?
        var kinds: [Kind]
        var keys10: [String: Int]
        var floats: [Float]
        var small: [Int8]
        var bytes: [UInt8]
        var empty: Empty
        struct Empty: Codable {}
    }

    @Test("strings with escapes and unicode, numbers, key order, optionals, enums with values")
    func trickyValues() throws {
        let value = Tricky(
            text: "quote \" backslash \\ slash / newline \n tab \t bell \u{07} nul \u{0} 日本語 😀 \u{7F}",
            numbers: [0, -0.0, 1, 8.0, 16.5, 0.1, 1e20, 1.5e-7, 123456789.125, Double.greatestFiniteMagnitude],
            ints: [0, -1, Int64.max, Int64.min],
            flags: ["b": true, "a": false, "B": true, "_": false, "10": true, "9": false],
            nested: [["z": [1, 2], "a": []], [:]],
            optional: nil, present: 3,
            kinds: [.plain, .tagged("x", count: 2)],
            keys10: ["a10": 1, "a9": 2, "A1": 3, "a1": 4, "b": 5],
            floats: [0.1, 1.5, -2, 3.4e38], small: [-128, 0, 127], bytes: [0, 255], empty: .init())
        try same(value, "tricky")
    }

    /// Hand-written coding that fills containers out of order: the streaming writer declines it and Foundation's
    /// encoder writes it.
    struct OutOfOrder: Encodable {
        enum Keys: String, CodingKey { case z, a, m, list }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            var first = c.nestedContainer(keyedBy: Keys.self, forKey: .z)
            var list = c.nestedUnkeyedContainer(forKey: .list)
            try c.encode("top", forKey: .m)
            try first.encode(1, forKey: .m)  // written after its sibling `list` was started
            try list.encode("late")
            try first.encode(2, forKey: .a)
            try c.encode(true, forKey: .a)
        }
    }

    struct Super: Encodable {
        enum Keys: String, CodingKey { case b, a }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(1, forKey: .b)
            try ["x": 1].encode(to: c.superEncoder(forKey: .a))
        }
    }

    @Test("containers filled out of order, super encoders and repeated container requests write Foundation's bytes")
    func outOfOrder() throws {
        #expect(throws: StreamingJSONWriter.OutOfOrder.self) { try StreamingJSONWriter.encode(OutOfOrder()) }
        try same(OutOfOrder(), "out of order")
        try same([OutOfOrder(), OutOfOrder()], "out of order in an array")
        try same(["k": Super()], "super encoder")
    }

    @Test("hand-written payload writers (offers to agents, channel changes) write Foundation's bytes for random values")
    func handWritten() async {
        let pieces = ["a", "Z", "0", "-", "\"", "\\", "/", "\n", "\u{01}", "é", "日本", "😀", " ", "+81"]
        await propertyCheck(count: 500, input: Gen.int(in: 0...(pieces.count - 1)).array(of: 0...8),
                            Gen.int(in: -1_000...1_000_000).array(of: 6...6), Gen.int(in: 0...255)) { picks, numbers, bits in
            let text = picks.map { pieces[$0] }.joined()
            let at = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000 + Int64(numbers[0]))
            let channels = StatusEvents.ChannelsChanged(ChannelChange(callID: text, delta: numbers[1], inUse: numbers[2],
                                                                      limit: numbers[3]), at: at)
            try? same(channels, "channels-changed")
            var offer = RoutingEvents.OfferedToAgent(callId: "c", callCenterId: "cc1", plan: Samples.plan, attempt: 1, at: Samples.t)
            offer.callId = text
            offer.accountId = String(text.reversed())
            offer.presentedCallerId = text + "x"
            offer.dialNumber = bits & 1 == 0 ? nil : text
            offer.phoneType = bits & 2 == 0 ? nil : PhoneType.allCases[abs(numbers[4]) % PhoneType.allCases.count]
            offer.delivery = bits & 4 == 0 ? .softphone : .externalNumber
            offer.features = RoutingEvents.Features(CallFeatures(crmPopup: bits & 8 != 0, openCti: bits & 16 != 0,
                                                                 holdCounted: bits & 32 != 0, holdVisible: bits & 64 != 0))
            offer.attempt = numbers[4]
            offer.channels = numbers[5]
            offer.ringTimeoutSeconds = -numbers[5]
            offer.at = EventTime(at)
            try? same(offer, "offered-to-agent")
        }
    }

    @Test("values Foundation treats specially are declined by the fast writer and written by Foundation's encoder, not differently")
    func declines() throws {
        #expect(throws: StreamingJSONWriter.Unsupported.self) { try StreamingJSONWriter.encode(["d": Date(timeIntervalSince1970: 0)]) }
        #expect(throws: StreamingJSONWriter.Unsupported.self) { try StreamingJSONWriter.encode([Double.nan]) }
        #expect(throws: StreamingJSONWriter.Unsupported.self) { try StreamingJSONWriter.encode(Data([1, 2])) }
        try same(["d": Date(timeIntervalSince1970: 0)], "date")
        try same(Data([1, 2]), "data")
        #expect(throws: EncodingError.self) { try JSON.encode([Double.nan]) }
    }
}
