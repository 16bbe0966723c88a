import Foundation
@testable import EventContract
@testable import FastJSON
import PropertyBased
import Testing

/// The fast decoder must decode what Foundation's `JSONDecoder` decodes, to the same values, and refuse what it
/// refuses with the same kind of error at the same coding path (issue 9: decoding was the largest cost per event).
@Suite("Fast JSON decoder")
struct FastJSONDecoderTests {
    enum Outcome<T: Equatable>: Equatable {
        case value(T)
        /// The error's case and coding path.
        case failure(String, String)
    }

    static func outcome<T: Decodable & Equatable>(_ decode: () throws -> T) -> Outcome<T> {
        do {
            return .value(try decode())
        } catch let error as DecodingError {
            let (kind, context): (String, DecodingError.Context?) = switch error {
            case .keyNotFound(_, let c): ("keyNotFound", c)
            case .typeMismatch(_, let c): ("typeMismatch", c)
            case .valueNotFound(_, let c): ("valueNotFound", c)
            case .dataCorrupted(let c): ("dataCorrupted", c)
            @unknown default: ("unknown", nil)
            }
            // Foundation gives no path with a number it cannot represent; the fast decoder names the member.
            let path = kind == "dataCorrupted" ? ""
                : context?.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") ?? ""
            return .failure(kind, path)
        } catch {
            return .failure("\(type(of: error))", "")
        }
    }

    /// Both decoders on the same bytes.
    static func both<T: Decodable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) -> (fast: Outcome<T>, foundation: Outcome<T>) {
        (outcome { try FastJSONDecoder.decode(T.self, from: bytes) }, outcome { try JSONDecoder().decode(T.self, from: Data(bytes)) })
    }

    func agree<T: Decodable & Equatable>(_ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (fast, foundation) = Self.both(T.self, Array(json.utf8))
        #expect(fast == foundation, "\(json)", sourceLocation: sourceLocation)
    }

    /// Replaces, removes or inserts bytes at the given positions: mostly JSON's own characters, so that many
    /// mutants are still JSON.
    static func mutate(_ seed: [UInt8], positions: [Int], values: [Int]) -> [UInt8] {
        var bytes = seed
        let alphabet = Array(#"{}[]":,01-.e" nulltrue\"#.utf8)
        for (i, p) in positions.enumerated() where !bytes.isEmpty {
            let at = p % bytes.count
            let v = values[i % values.count]
            let byte = v < 200 ? alphabet[v % alphabet.count] : UInt8(v)
            switch v % 3 {
            case 0: bytes[at] = byte
            case 1: bytes.remove(at: at)
            default: bytes.insert(byte, at: at)
            }
        }
        return bytes
    }

    @Test("every contract payload decodes to the value Foundation decodes")
    func contractPayloads() throws {
        for sample in Samples.every {
            func check<P: EventPayload>(_ p: P) throws {
                let bytes = Array(try JSONEncoder().encode(p))
                #expect(try FastJSONDecoder.decode(P.self, from: bytes) == p, "\(P.eventType)")
                #expect(Self.both(P.self, bytes).fast == Self.both(P.self, bytes).foundation)
            }
            try check(sample)
        }
    }

    struct Numbers: Codable, Equatable {
        var i: Int
        var d: Double
        var small: Int8?
        var big: UInt64?
        var f: Float?
    }

    @Test("numbers: integers written as 1.0 or 1e2, overflow, fractions for integers, exponents, negative zero")
    func numbers() {
        for body in [#""i": 1, "d": 2"#, #""i": -0, "d": -0.0"#, #""i": 1.0, "d": 1e2"#, #""i": 1e2, "d": 1E-2"#,
                     #""i": 1.5, "d": 1"#, #""i": 9223372036854775807, "d": 1"#, #""i": 9223372036854775808, "d": 1"#,
                     #""i": -9223372036854775808, "d": 1"#, #""i": 1, "d": 1e400"#, #""i": 1, "d": 1, "small": 128"#,
                     #""i": 1, "d": 1, "small": -128"#, #""i": 1, "d": 1, "big": 18446744073709551615"#,
                     #""i": 1, "d": 1, "big": -1"#, #""i": 1, "d": 1, "f": 0.1"#, #""i": 1, "d": 1, "f": 1e39"#,
                     #""i": "1", "d": 1"#, #""i": 1, "d": true"#, #""i": null, "d": 1"#, #""d": 1"#,
                     #""i": 01, "d": 1"#, #""i": 1, "d": .5"#, #""i": 1, "d": 1."#, #""i": +1, "d": 1"#, #""i": 1, "d": 0.1e1"#] {
            agree(Numbers.self, "{\(body)}")
        }
    }

    struct Texts: Codable, Equatable {
        enum Kind: Codable, Equatable { case plain, tagged(String, count: Int) }
        var s: String
        var list: [String]?
        var map: [String: Int]?
        var nested: [[Int]]?
        var kinds: [Kind]?
        var ids: [Int: String]?
    }

    @Test("strings, escapes, surrogates, duplicate keys, containers, enums with values, dictionaries")
    func texts() {
        for json in [#"{"s": "plain"}"#, #"{"s": "a\"b\\c\/d\b\f\n\r\t"}"#, #"{"s": "\u00e9\u65E5 \ud83d\ude00"}"#,
                     #"{"s": "\ud83d"}"#, #"{"s": "\ude00"}"#, #"{"s": "\ud83dx"}"#, #"{"s": "\u12"}"#, #"{"s": "\x"}"#,
                     #"{"s": "日本語 😀"}"#, #"{"s": "a", "s": "b"}"#, #"{"s": "a", "list": ["x", "y"], "map": {"k": 1, "j": 2}}"#,
                     #"{"s": "a", "nested": [[1, 2], [], [3]]}"#, #"{"s": "a", "kinds": [{"plain": {}}, {"tagged": {"_0": "x", "count": 2}}]}"#,
                     #"{"s": "a", "kinds": [{"other": {}}]}"#, #"{"s": "a", "ids": {"1": "x", "2": "y"}}"#, #"{"s": "a", "ids": {"x": "y"}}"#,
                     #"{"s": "a", "list": [1]}"#, #"{"s": "a", "list": null}"#, #"{"s": "a", "list": [null]}"#, #"{"s": 1}"#,
                     #"{"s": null}"#, #"{}"#, #"[]"#, #""s""#, #"null"#, #"{"s": "a",}"#, #"{"s": "a"} x"#, #"{"s": "a"}  "#,
                     #"  {"s": "a"}"#, #"{"s" "a"}"#, #"{'s': "a"}"#, #"{"s": "a"#, #"{"s": "a\"}"#, "{\"s\": \"tab\tinside\"}",
                     #"{"s": "a", "list": ["x",]}"#, #"{"s": "a", "map": {"k": 1,}}"#, #"{"s": "a", "extra": {"deep": [1, {"x": null}]}}"#,
                     #"{"s": tru}"#, #"{"s": "a", "list": [true, false]}"#, "",
                     // Members nobody reads: Foundation checks their structure only, not their content.
                     #"{"s": "a", "x": "\o"}"#, #"{"s": "a", "x": 01, "y": 1., "z": -}"#, #"{"s": "a", "x": "\uzzzz"}"#,
                     #"{"s": "a", "x": "\uren"}"#, #"{"s": "a", "x": ["crmPo\up", "openCti"]}"#, #"{"s": "a", "x": "\u"}"#,
                     #"{"s": "a", "x": "\ud83d"}"#, #"{"\o": "b", "s": "a"}"#, #"{"\u0073": "b"}"#, #"{"s": "a", "x": [1,]}"#,
                     #"{"s": "a",, "x": 1}"#, #"{"s": "a", "x": [,1]}"#, #"{,}"#] {
            agree(Texts.self, json)
        }
        // Invalid UTF-8 inside a string, nesting deeper than the limit.
        let (fast, foundation) = Self.both(Texts.self, Array(#"{"s": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
        #expect(fast == foundation)
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        agree(Texts.self, #"{"s": "a", "extra": \#(deep)}"#)
    }

    @Test("mutated contract payloads: both decoders accept the same values or refuse with the same error at the same path")
    func mutations() async {
        let seeds: [(bytes: [UInt8], check: ([UInt8]) -> String?)] = Samples.every.map { sample in
            func seed<P: EventPayload>(_ p: P) -> ([UInt8], ([UInt8]) -> String?) {
                (Array(try! JSONEncoder().encode(p)), { bytes in
                    let r = Self.both(P.self, bytes)
                    return r.fast == r.foundation ? nil : "fast: \(r.fast), Foundation: \(r.foundation)"
                })
            }
            return seed(sample)
        }
        await propertyCheck(count: 10_000, input: Gen.int(in: 0...10_000), Gen.int(in: 0...1_000).array(of: 1...4),
                            Gen.int(in: 0...255).array(of: 1...4)) { pick, positions, values in
            let seed = seeds[pick % seeds.count]
            let bytes = Self.mutate(seed.bytes, positions: positions, values: values)
            let difference = seed.check(bytes)
            #expect(difference == nil, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test("mutated events: the codec classifies them (or decodes them) exactly as with Foundation's decoder")
    func codecMutations() async {
        let seeds = Samples.every.enumerated().map { Samples.encode($0.element, id: "m\($0.offset)") }
        func outcome(_ bytes: [UInt8], foundation: Bool) -> String {
            do {
                let e = try CloudEventCodec.decode(value: bytes, headers: [], withFoundation: foundation)
                return "\(e)"
            } catch {
                return "\(error.code)"
            }
        }
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...10_000), Gen.int(in: 0...1_000).array(of: 1...4),
                            Gen.int(in: 0...255).array(of: 1...4)) { pick, positions, values in
            let bytes = Self.mutate(seeds[pick % seeds.count], positions: positions, values: values)
            #expect(outcome(bytes, foundation: false) == outcome(bytes, foundation: true), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test("dates and data are left to Foundation's decoder, by JSON.decode and by an object reader's member")
    func declines() throws {
        struct Stamped: Decodable, Equatable { var at: Date }
        let bytes = Array(#"{"at": 1}"#.utf8)
        #expect(throws: FastJSONDecoder.Unsupported.self) { try FastJSONDecoder.decode(Stamped.self, from: bytes) }
        #expect(try JSON.decode(Stamped.self, from: bytes) == JSONDecoder().decode(Stamped.self, from: Data(bytes)))
        enum Key: String, CodingKey { case at, data, link }
        let envelope = Array(#"{"at": "x", "data": {"at": 2}, "link": "https://example.com/a"}"#.utf8)
        let reader = try JSON.ObjectReader(envelope)
        #expect(try reader.decode(Stamped.self, Key.data) == Stamped(at: Date(timeIntervalSinceReferenceDate: 2)))
        #expect(try reader.decode(URL.self, Key.link) == URL(string: "https://example.com/a"), "a string member, quotes and all")
        #expect(throws: DecodingError.self) { try reader.decode(Date.self, Key.at) }
    }
}
