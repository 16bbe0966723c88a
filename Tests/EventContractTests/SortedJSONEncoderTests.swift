import Foundation
import EventContract
import Testing

/// The fast encoder must write exactly what Foundation's sorted-keys encoder writes (issue 9: JSON
/// encoding was the largest cost per event; issue 11: the same event re-encodes to the same bytes).
@Suite("Sorted JSON encoder")
struct SortedJSONEncoderTests {
    let foundation: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    func same<T: Encodable>(_ value: T, _ label: String) throws {
        let fast = try SortedJSONEncoder.encode(value)
        let reference = Array(try foundation.encode(value))
        #expect(fast == reference, "\(label): \(String(decoding: fast, as: UTF8.self)) vs \(String(decoding: reference, as: UTF8.self))")
    }

    @Test("every contract payload encodes to the bytes Foundation writes")
    func contractPayloads() throws {
        for p in Samples.all {
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
            keys10: ["a10": 1, "a9": 2, "A1": 3, "a1": 4, "b": 5])
        try same(value, "tricky")
    }

    @Test("values Foundation treats specially are declined, not written differently")
    func declines() {
        #expect(throws: SortedJSONEncoder.Unsupported.self) { try SortedJSONEncoder.encode(["d": Date(timeIntervalSince1970: 0)]) }
        #expect(throws: SortedJSONEncoder.Unsupported.self) { try SortedJSONEncoder.encode([Double.nan]) }
        #expect(throws: SortedJSONEncoder.Unsupported.self) { try SortedJSONEncoder.encode(Data([1, 2])) }
    }
}
