/// A validated phone number, normalised to E.164 (`+81…` for Japan), with its category (S4).
///
/// Input may be national (`090-1234-5678`), E.164 (`+81 90 1234 5678`), use the
/// Japanese international prefix (`010 1 212 …`), full-width digits (０９０…)
/// and the usual separators. Anything else (letters, invisible or look-alike
/// characters, digits of other scripts) is refused: numbers are security
/// relevant (toll fraud) and must mean exactly what they show.
public struct PhoneNumber: Hashable, Codable, Sendable, CustomStringConvertible {
    /// E.164 (`+819012345678`); for short service numbers (110, 119, 1xx) the digits as dialled.
    public let e164: String
    public let category: PhoneNumberCategory

    public init(e164: String, category: PhoneNumberCategory) {
        self.e164 = e164
        self.category = category
    }

    public var description: String { masked }

    /// The number for logs: country code and the last two digits only.
    public var masked: String { PhoneNumber.mask(e164) }

    /// Whether the number is in Japan (+81).
    public var isJapanese: Bool { e164.hasPrefix("+81") }

    /// Masks any number-like string for logs, keeping its first 3 and last 2 characters.
    public static func mask(_ raw: String) -> String {
        let chars = Array(raw)
        guard chars.count > 5 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(3)) + String(repeating: "*", count: chars.count - 5) + String(chars.suffix(2))
    }

    /// Parses and classifies a number as a user typed it.
    public static func parse(_ input: String) throws(PhoneNumberError) -> PhoneNumber {
        let (plus, digits) = try normalise(input)
        if plus {
            return try international(digits)
        }
        if digits.hasPrefix("010") {
            // The Japanese international call prefix: 010 + country code + number.
            return try international(String(digits.dropFirst(3)))
        }
        if digits.hasPrefix("1") {
            guard (3...15).contains(digits.count) else { throw .invalidLength(digits: digits.count) }
            return PhoneNumber(e164: digits, category: .emergencyOrService)
        }
        guard digits.hasPrefix("0") else {
            throw .malformed("a national number starts with 0, an international one with +")
        }
        return try japanese(national: digits)
    }

    /// Strips separators, maps full-width digits, and rejects everything else.
    private static func normalise(_ input: String) throws(PhoneNumberError) -> (plus: Bool, digits: String) {
        var digits = ""
        var plus = false
        var seenDigit = false
        for scalar in input.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x30...0x39:
                digits.unicodeScalars.append(scalar)
                seenDigit = true
            case 0xFF10...0xFF19:  // full-width ０-９, common in Japanese input
                digits.unicodeScalars.append(Unicode.Scalar(v - 0xFF10 + 0x30)!)
                seenDigit = true
            case 0x2B, 0xFF0B:  // + and full-width ＋
                guard !plus && !seenDigit else { throw .malformed("'+' may only start the number") }
                plus = true
            case 0x20, 0x2D, 0x28, 0x29, 0x2E, 0x3000, 0xFF0D, 0x2010, 0x2011, 0x2012, 0x2013, 0x30FC, 0xFF08, 0xFF09:
                continue  // spaces, hyphens, parentheses, dots (ASCII and full-width)
            default:
                throw .invalidCharacter(describe(scalar))
            }
            if digits.count > 20 { throw .invalidLength(digits: digits.count) }
        }
        guard !digits.isEmpty else { throw .empty }
        return (plus, digits)
    }

    private static func international(_ digits: String) throws(PhoneNumberError) -> PhoneNumber {
        guard let first = digits.first, first != "0" else { throw .malformed("a country code cannot start with 0") }
        guard (8...15).contains(digits.count) else { throw .invalidLength(digits: digits.count) }
        if digits.hasPrefix("81") {
            return try japanese(national: "0" + digits.dropFirst(2))
        }
        return PhoneNumber(e164: "+" + digits, category: .foreign)
    }

    /// Classifies a Japanese national number (with its leading 0) by prefix and length.
    private static func japanese(national n: String) throws(PhoneNumberError) -> PhoneNumber {
        let count = n.count
        func make(_ c: PhoneNumberCategory, length: Int) throws(PhoneNumberError) -> PhoneNumber {
            guard count == length else { throw .invalidLength(digits: count) }
            return PhoneNumber(e164: "+81" + n.dropFirst(), category: c)
        }
        if n.hasPrefix("00") { throw .malformed("carrier prefixes (00…) are not accepted; use + and the country code") }
        if n.hasPrefix("0120") { return try make(.tollFree, length: 10) }
        if n.hasPrefix("0800") { return try make(.tollFree, length: 11) }
        if n.hasPrefix("0990") { return try make(.premiumRate, length: 10) }
        if n.hasPrefix("0570") || n.hasPrefix("0180") { return try make(.sharedCost, length: 10) }
        if n.hasPrefix("070") || n.hasPrefix("080") || n.hasPrefix("090") { return try make(.mobile, length: 11) }
        if n.hasPrefix("050") { return try make(.ipPhone, length: 11) }
        if n.hasPrefix("020") || n.hasPrefix("060") { return try make(.nonPersonal, length: 11) }
        return try make(.landline, length: 10)
    }

    private static func describe(_ s: Unicode.Scalar) -> String { "U+" + String(s.value, radix: 16, uppercase: true) }
}
