/// A JSON text (RFC 8259) indexed in one pass: every value's kind and byte range in a flat list, so that
/// `FastJSONDecoder` can find members without building dictionaries or strings for keys.
///
/// Like Foundation's decoder, the pass checks the structure (brackets, commas, colons, literals) and leaves the
/// content of strings and numbers to be checked when they are read: a string's escapes, control characters and
/// UTF-8, a number's form. A member nobody reads is not checked,
/// so the same texts are accepted as with Foundation.
struct JSONDocument {
    enum Kind: UInt8 { case object, array, string, number, bool, null }

    struct Value {
        var kind: Kind
        /// For a string, the bytes between the quotes; otherwise the value's bytes.
        var start: Int32
        var end: Int32
        /// Index of the value after this one and everything inside it.
        var next: Int32
        /// Members of an object, elements of an array.
        var count: Int32
        /// A string with escapes (its bytes must be unescaped), or the value of a boolean.
        var flag: Bool
        /// A string with bytes outside printable ASCII (control characters or UTF-8 to check when read).
        var unchecked = false
    }

    struct SyntaxError: Error {
        var offset: Int
        var problem: String
    }

    let bytes: [UInt8]
    /// Values in document order: an object is followed by its members' keys and values (key, value, key, value...),
    /// an array by its elements.
    private(set) var values: [Value] = []

    /// Nesting deeper than this is refused (as Foundation's decoder does), so that a hostile text cannot overflow the stack.
    static let maximumDepth = 512

    init(_ bytes: [UInt8]) throws(SyntaxError) {
        self.bytes = bytes
        values.reserveCapacity(32)
        var i = 0
        skipWhitespace(&i)
        try parseValue(&i, depth: 0)
        skipWhitespace(&i)
        guard i == bytes.count else { throw SyntaxError(offset: i, problem: "unexpected text after the value") }
    }

    subscript(index: Int) -> Value { values[index] }

    private func skipWhitespace(_ i: inout Int) {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    private mutating func parseValue(_ i: inout Int, depth: Int) throws(SyntaxError) {
        guard i < bytes.count else { throw SyntaxError(offset: i, problem: "unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"): try parseContainer(&i, depth: depth + 1, object: true)
        case UInt8(ascii: "["): try parseContainer(&i, depth: depth + 1, object: false)
        case UInt8(ascii: "\""): try parseString(&i)
        case UInt8(ascii: "t"): try literal(&i, "true", .bool, flag: true)
        case UInt8(ascii: "f"): try literal(&i, "false", .bool, flag: false)
        case UInt8(ascii: "n"): try literal(&i, "null", .null, flag: false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber(&i)
        default: throw SyntaxError(offset: i, problem: "unexpected character")
        }
    }

    private mutating func literal(_ i: inout Int, _ text: StaticString, _ kind: Kind, flag: Bool) throws(SyntaxError) {
        let n = text.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw SyntaxError(offset: i, problem: "unexpected end") }
        let matches = text.withUTF8Buffer { expected in (0..<n).allSatisfy { bytes[i + $0] == expected[$0] } }
        guard matches else { throw SyntaxError(offset: i, problem: "invalid literal") }
        let index = values.count
        values.append(Value(kind: kind, start: Int32(i), end: Int32(i + n), next: Int32(index + 1), count: 0, flag: flag))
        i += n
    }

    /// An object or an array. A comma before the closing bracket is accepted, as Foundation's decoder accepts it.
    private mutating func parseContainer(_ i: inout Int, depth: Int, object: Bool) throws(SyntaxError) {
        guard depth <= Self.maximumDepth else { throw SyntaxError(offset: i, problem: "nested too deeply") }
        let index = values.count
        values.append(Value(kind: object ? .object : .array, start: Int32(i), end: 0, next: 0, count: 0, flag: false))
        let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        i += 1
        skipWhitespace(&i)
        var count: Int32 = 0
        while true {
            guard i < bytes.count else { throw SyntaxError(offset: i, problem: "unexpected end") }
            if bytes[i] == close {
                i += 1
                break
            }
            if object {
                guard bytes[i] == UInt8(ascii: "\"") else { throw SyntaxError(offset: i, problem: "expected a key") }
                try parseString(&i)
                skipWhitespace(&i)
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw SyntaxError(offset: i, problem: "expected ':'") }
                i += 1
                skipWhitespace(&i)
            }
            try parseValue(&i, depth: depth)
            count += 1
            skipWhitespace(&i)
            guard i < bytes.count else { throw SyntaxError(offset: i, problem: "unexpected end") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipWhitespace(&i)
            } else if bytes[i] != close {
                throw SyntaxError(offset: i, problem: "expected ',' or a closing bracket")
            }
        }
        values[index].end = Int32(i)
        values[index].next = Int32(values.count)
        values[index].count = count
    }

    /// A string's extent: up to the first quote not escaped by a backslash (as Foundation's scanner finds it).
    private mutating func parseString(_ i: inout Int) throws(SyntaxError) {
        let start = i + 1
        var j = start
        var escaped = false
        var unchecked = false
        var unicodeEnd = 0
        while true {
            guard j < bytes.count else { throw SyntaxError(offset: j, problem: "unterminated string") }
            let b = bytes[j]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                escaped = true
                guard j + 1 < bytes.count else { throw SyntaxError(offset: j, problem: "unterminated string") }
                // A `\u` needs four characters before the closing quote (their hex digits are checked when read).
                if bytes[j + 1] == UInt8(ascii: "u") { unicodeEnd = j + 6 }
                j += 2
                continue
            }
            if b < 0x20 || b >= 0x80 { unchecked = true }
            j += 1
        }
        guard unicodeEnd <= j else { throw SyntaxError(offset: unicodeEnd, problem: "incomplete \\u escape") }
        values.append(Value(kind: .string, start: Int32(start), end: Int32(j), next: Int32(values.count + 1), count: 0,
                            flag: escaped, unchecked: unchecked))
        i = j + 1
    }

    /// A number's extent; its form is checked when it is read (`numberText(at:)`).
    private mutating func parseNumber(_ i: inout Int) throws(SyntaxError) {
        var j = i
        while j < bytes.count {
            switch bytes[j] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                j += 1
            default:
                values.append(Value(kind: .number, start: Int32(i), end: Int32(j), next: Int32(values.count + 1), count: 0, flag: false))
                i = j
                return
            }
        }
        values.append(Value(kind: .number, start: Int32(i), end: Int32(j), next: Int32(values.count + 1), count: 0, flag: false))
        i = j
    }

    /// Whether `text` is a JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isNumber(_ text: ArraySlice<UInt8>) -> Bool {
        var j = text.startIndex
        func digits() -> Int {
            let from = j
            while j < text.endIndex, text[j] >= UInt8(ascii: "0"), text[j] <= UInt8(ascii: "9") { j += 1 }
            return j - from
        }
        if j < text.endIndex, text[j] == UInt8(ascii: "-") { j += 1 }
        if j < text.endIndex, text[j] == UInt8(ascii: "0") {
            j += 1
        } else if digits() == 0 {
            return false
        }
        if j < text.endIndex, text[j] == UInt8(ascii: ".") {
            j += 1
            guard digits() > 0 else { return false }
        }
        if j < text.endIndex, text[j] == UInt8(ascii: "e") || text[j] == UInt8(ascii: "E") {
            j += 1
            if j < text.endIndex, text[j] == UInt8(ascii: "+") || text[j] == UInt8(ascii: "-") { j += 1 }
            guard digits() > 0 else { return false }
        }
        return j == text.endIndex
    }

    /// The code unit of `\uXXXX` at `j`, if well formed.
    private func unicodeEscape(at j: Int) -> UInt16? {
        guard j + 5 < bytes.count else { return nil }
        var unit: UInt16 = 0
        for k in 2...5 {
            guard let h = Self.hexValue(bytes[j + k]) else { return nil }
            unit = unit << 4 | h
        }
        return unit
    }

    static func hexValue(_ b: UInt8) -> UInt16? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: reading values

    /// The text of a string value, escapes resolved; nil if it holds a control character, invalid UTF-8, an
    /// unknown escape or an unpaired UTF-16 surrogate (what Foundation refuses when the string is read).
    func string(at index: Int) -> String? {
        let v = values[index]
        let range = Int(v.start)..<Int(v.end)
        guard v.flag else {
            guard v.unchecked else { return String(decoding: bytes[range], as: UTF8.self) }
            guard !bytes[range].contains(where: { $0 < 0x20 }) else { return nil }
            return String(validating: bytes[range], as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var j = range.lowerBound
        while j < range.upperBound {
            let b = bytes[j]
            guard b == UInt8(ascii: "\\") else {
                guard b >= 0x20 else { return nil }
                out.append(b)
                j += 1
                continue
            }
            let e = bytes[j + 1]
            switch e {
            case UInt8(ascii: "u"):
                guard let unit = unicodeEscape(at: j) else { return nil }
                j += 6
                var scalar: Unicode.Scalar?
                if unit >= 0xD800, unit <= 0xDBFF {
                    guard j + 1 < range.upperBound, bytes[j] == UInt8(ascii: "\\"), bytes[j + 1] == UInt8(ascii: "u"),
                          let low = unicodeEscape(at: j), low >= 0xDC00, low <= 0xDFFF else { return nil }
                    j += 6
                    scalar = Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))
                } else {
                    scalar = Unicode.Scalar(unit)  // nil for a lone low surrogate
                }
                guard let scalar else { return nil }
                out.append(contentsOf: String(Character(scalar)).utf8)
                continue
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            default: return nil
            }
            j += 2
        }
        return v.unchecked ? String(validating: out, as: UTF8.self) : String(decoding: out, as: UTF8.self)
    }

    /// Whether the key of a member (a string value) is exactly `key`.
    func key(at index: Int, equals key: String) -> Bool {
        let v = values[index]
        if v.flag || v.unchecked { return string(at: index) == key }
        let length = Int(v.end - v.start)
        var key = key
        return key.withUTF8 { k in
            k.count == length && bytes.withUnsafeBufferPointer { b in
                length == 0 || memcmp(b.baseAddress! + Int(v.start), k.baseAddress!, length) == 0
            }
        }
    }

    /// The number's text; nil if it is not in JSON's form.
    func numberText(at index: Int) -> Substring? {
        let v = values[index]
        let text = bytes[Int(v.start)..<Int(v.end)]
        guard Self.isNumber(text) else { return nil }
        return Substring(String(decoding: text, as: UTF8.self))
    }

    /// Index of the value of the object's member named `name`; with a name given twice, the first one counts
    /// (as in Foundation).
    func member(_ name: String, of object: Int) -> Int? {
        var i = object + 1
        for _ in 0..<values[object].count {
            if key(at: i, equals: name) { return i + 1 }
            i = Int(values[i + 1].next)
        }
        return nil
    }

    /// Whether every member of the object at `index` but the one named `except` is a string, number, boolean or null.
    func membersAreScalar(object index: Int, except name: String) -> Bool {
        var i = index + 1
        for _ in 0..<values[index].count {
            let kind = values[i + 1].kind
            if kind == .object || kind == .array, !key(at: i, equals: name) { return false }
            i = Int(values[i + 1].next)
        }
        return true
    }

    /// Whether every key of the object at `index` reads as a string (Foundation checks them when the object is read).
    func keysAreValid(object index: Int) -> Bool {
        var i = index + 1
        for _ in 0..<values[index].count {
            if values[i].flag || values[i].unchecked, string(at: i) == nil { return false }
            i = Int(values[i + 1].next)
        }
        return true
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
