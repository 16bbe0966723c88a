/// A platform version such as "3.2.0", compared numerically part by part.
public struct PlatformVersion: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var parts: [Int]

    public init?(_ text: String) {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !pieces.isEmpty, pieces.count <= 4 else { return nil }
        var parts: [Int] = []
        for p in pieces {
            guard let n = Int(p), n >= 0, p.allSatisfy(\.isASCII) else { return nil }
            parts.append(n)
        }
        self.parts = parts
    }

    /// Callback dialing (F2) needs this version or later.
    public static let callbackDialingMinimum = PlatformVersion("3.2.0")!

    public static func < (a: PlatformVersion, b: PlatformVersion) -> Bool {
        let n = max(a.parts.count, b.parts.count)
        for i in 0..<n {
            let x = i < a.parts.count ? a.parts[i] : 0
            let y = i < b.parts.count ? b.parts[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    public static func == (a: PlatformVersion, b: PlatformVersion) -> Bool { !(a < b) && !(b < a) }
    public func hash(into h: inout Hasher) {
        var p = parts
        while p.last == 0 { p.removeLast() }
        h.combine(p)
    }

    public var description: String { parts.map(String.init).joined(separator: ".") }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = PlatformVersion(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad version \(s)"))
        }
        self = v
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
