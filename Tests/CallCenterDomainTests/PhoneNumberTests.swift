import CallCenterDomain
import Testing

@Suite("S4 phone numbers and forwarding destinations")
struct PhoneNumberTests {
    @Test("S4 national and E.164 input normalise to the same E.164", arguments: [
        ("090-1234-5678", "+819012345678"), ("+81 90 1234 5678", "+819012345678"), ("(03) 1234-5678", "+81312345678"),
        ("０９０－１２３４－５６７８", "+819012345678"), ("+81-3-1234-5678", "+81312345678"), ("050.1234.5678", "+815012345678"),
        ("0120-123-456", "+81120123456"), ("010 1 212 555 0100", "+12125550100"), ("+44 20 7946 0958", "+442079460958"),
    ])
    func normalises(input: String, e164: String) throws {
        #expect(try PhoneNumber.parse(input).e164 == e164)
    }

    @Test("S4 the category and phone type are derived from the number", arguments: [
        ("07012345678", PhoneNumberCategory.mobile), ("08012345678", .mobile), ("09012345678", .mobile),
        ("05012345678", .ipPhone), ("0312345678", .landline), ("0669876543", .landline), ("0992123456", .landline),
        ("0120123456", .tollFree), ("08001234567", .tollFree), ("0990123456", .premiumRate), ("0570123456", .sharedCost),
        ("110", .emergencyOrService), ("119", .emergencyOrService), ("118", .emergencyOrService),
        ("104", .emergencyOrService), ("18409012345678", .emergencyOrService), ("02012345678", .nonPersonal),
        ("+12125550100", .foreign),
    ])
    func classifies(input: String, category: PhoneNumberCategory) throws {
        #expect(try PhoneNumber.parse(input).category == category)
    }

    @Test("S4 phone types: 070/080/090 mobile, 050 IP phone, other geographic landline")
    func phoneTypes() throws {
        #expect(try PhoneNumber.parse("080-1111-2222").category.derivedPhoneType == .mobile)
        #expect(try PhoneNumber.parse("050-1111-2222").category.derivedPhoneType == .ipPhone)
        #expect(try PhoneNumber.parse("06-1111-2222").category.derivedPhoneType == .landline)
        #expect(try PhoneNumber.parse("0990-111-222").category.derivedPhoneType == nil)
    }

    @Test("S4 malformed input is refused with a clear error", arguments: [
        ("", PhoneNumberError.empty), ("abc", .invalidCharacter("U+61")), ("090-1234-567", .invalidLength(digits: 10)),
        ("03-1234-56789", .invalidLength(digits: 11)), ("9012345678", .malformed("a national number starts with 0, an international one with +")),
        ("090\u{200B}12345678", .invalidCharacter("U+200B")), ("٠٩٠١٢٣٤٥٦٧٨", .invalidCharacter("U+660")),
        ("+0123456789", .malformed("a country code cannot start with 0")), ("09+012345678", .malformed("'+' may only start the number")),
        ("0012345678901", .malformed("carrier prefixes (00…) are not accepted; use + and the country code")),
    ])
    func refuses(input: String, error: PhoneNumberError) {
        #expect(throws: error) { try PhoneNumber.parse(input) }
    }

    @Test("S4 emergency, short service, premium and shared-cost numbers are never destinations")
    func forbidden() throws {
        for raw in ["110", "118", "119", "117", "0990-123-456", "0570-123-456"] {
            let n = try PhoneNumber.parse(raw)
            for use in [ForwardingPolicy.Use.signInDevice, .transferTarget, .outboundCall] {
                #expect(ForwardingPolicy.rejection(of: n, for: use, allowInternational: true) != nil, "\(raw)")
            }
        }
        #expect(ForwardingPolicy.rejection(of: try .parse("110"), for: .transferTarget, allowInternational: false)
            == .emergencyOrServiceNumber)
        #expect(ForwardingPolicy.rejection(of: try .parse("0990123456"), for: .signInDevice, allowInternational: false)
            == .premiumRate)
    }

    @Test("S4 foreign numbers only when the tenant allows them (toll-fraud protection)")
    func foreign() throws {
        let n = try PhoneNumber.parse("+44 20 7946 0958")
        #expect(ForwardingPolicy.rejection(of: n, for: .signInDevice, allowInternational: false) == .internationalNotAllowed)
        #expect(ForwardingPolicy.rejection(of: n, for: .signInDevice, allowInternational: true) == nil)
    }

    @Test("S4 a toll-free line may be a transfer target but not a personal phone")
    func tollFree() throws {
        let n = try PhoneNumber.parse("0120-123-456")
        #expect(ForwardingPolicy.rejection(of: n, for: .transferTarget, allowInternational: false) == nil)
        #expect(ForwardingPolicy.rejection(of: n, for: .signInDevice, allowInternational: false) == .notAPersonalPhone)
    }

    @Test("numbers are masked for logs")
    func masked() throws {
        let n = try PhoneNumber.parse("090-1234-5678")
        #expect(n.masked == "+81********78")
        #expect(!n.description.contains("1234"))
    }
}

@Suite("Masking numbers in free text")
struct NumberMaskingTests {
    @Test("numbers in any format are masked; dates, times, short numbers and ids stay readable")
    func anyFormat() {
        let masked = [
            "+819012345678", "090-1234-5678", "03 1234 5678", "(03) 1234-5678", "+81 90.1234.5678",
            "０９０１２３４５６７８", "０３ー１２３４ー５６７８", "tel:0312345678;", "12345678901",
        ]
        for text in masked {
            let out = PhoneNumber.maskNumbers(in: text)
            let longestRun = out.split(whereSeparator: { !$0.isNumber }).map(\.count).max() ?? 0
            #expect(out.contains("*") && longestRun <= 3, "\(text) → \(out)")
        }
        for text in ["2026-12-03T12:08:22.880Z", "offset 1234567", "cc.routing.decisions[3]@42", "ext 201", "limit 8 of 8"] {
            #expect(PhoneNumber.maskNumbers(in: text) == text, "\(text)")
        }
        #expect(PhoneNumber.maskNumbers(in: "seq 12345 67890123") == "seq 12345 678***23")
        #expect(PhoneNumber.maskNumbers(in: "call 090-1234-5678.") == "call 090******78.")
    }
}
