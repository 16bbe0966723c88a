import CallCenterDomain
import EventContract
import PropertyBased
import Testing

/// Bounded fuzzing (property-based): random and mutated input never crashes the decoder or the
/// phone-number parser, and whatever they accept is well-formed.
@Suite("Fuzzing the decoder and the number parser")
struct FuzzTests {
    static let seedEvents: [[UInt8]] = Samples.all.enumerated().map { Samples.encode($0.element, id: "f\($0.offset)") }

    @Test("random bytes are refused with a reason, never a crash")
    func randomBytes() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...255).array(of: 0...300)) { ints in
            let bytes = ints.map { UInt8($0) }
            do {
                _ = try CloudEventCodec.decode(value: bytes, headers: [])
            } catch {
                #expect(!((error as? EventDecodingError)?.message.isEmpty ?? true), "a typed reason")
            }
        }
    }

    @Test("mutated valid events decode to valid events or are refused; accepted ones re-encode and decode the same")
    func mutations() async {
        await propertyCheck(count: 3_000, input: Gen.int(in: 0...10_000), Gen.int(in: 0...1_000).array(of: 1...6),
                            Gen.int(in: 0...255).array(of: 1...6)) { pick, positions, values in
            var bytes = Self.seedEvents[pick % Self.seedEvents.count]
            for (i, p) in positions.enumerated() where !bytes.isEmpty {
                let at = p % bytes.count
                switch values[i % values.count] % 3 {
                case 0: bytes[at] = UInt8(values[i % values.count])
                case 1: bytes.remove(at: at)
                default: bytes.insert(UInt8(values[i % values.count]), at: at)
                }
            }
            guard let decoded = try? CloudEventCodec.decode(value: bytes, headers: []) else { return }
            let again = CloudEventCodec.encode(decoded.event, attributes: decoded.attributes)
            let round = try? CloudEventCodec.decode(value: again, headers: [])
            #expect(round == decoded, "an accepted event round-trips")
        }
    }

    @Test("S4 random strings never crash the number parser; accepted numbers are E.164 or short service numbers")
    func numbers() async {
        let alphabet: [Character] = Array("0123456789+-() .") + ["０", "９", "＋", "٣", "\u{200B}", "a", "#", "*", "ー"]
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...(alphabet.count - 1)).array(of: 0...24)) { indexes in
            let text = String(indexes.map { alphabet[$0] })
            guard let n = try? PhoneNumber.parse(text) else { return }
            if n.category == .emergencyOrService {
                #expect(n.e164.first == "1" && n.e164.allSatisfy(\.isNumber))
            } else {
                #expect(n.e164.hasPrefix("+") && n.e164.dropFirst().allSatisfy { $0.isASCII && $0.isNumber })
                #expect((9...16).contains(n.e164.count), "\(n.e164)")
                #expect((try? PhoneNumber.parse(n.e164)) == n, "E.164 output parses to itself")
            }
        }
    }
}
