/// A point in time as milliseconds since the Unix epoch. The domain never reads
/// a clock: every time is passed in (event time, or the service's clock).
public struct Timestamp: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }
    public init(seconds: Int64) { self.millisecondsSinceEpoch = seconds * 1_000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    public func adding(seconds: Int) -> Timestamp { adding(milliseconds: Int64(seconds) * 1_000) }
    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }
    /// Milliseconds from `earlier` to self (negative if self is earlier).
    public func milliseconds(since earlier: Timestamp) -> Int64 { millisecondsSinceEpoch - earlier.millisecondsSinceEpoch }

    public var description: String { "t+\(millisecondsSinceEpoch)ms" }

    public init(from decoder: any Decoder) throws {
        millisecondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(millisecondsSinceEpoch)
    }
}
