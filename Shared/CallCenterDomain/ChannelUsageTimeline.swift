/// Channel usage over time against the contract limit (P4).
public struct ChannelUsageTimeline: Hashable, Codable, Sendable {
    public struct Point: Hashable, Codable, Sendable {
        public var at: Timestamp
        public var inUse: Int
        public var limit: Int

        public init(at: Timestamp, inUse: Int, limit: Int) {
            self.at = at
            self.inUse = inUse
            self.limit = limit
        }
    }

    public private(set) var points: [Point] = []
    public private(set) var refusedCalls = 0

    public init() {}

    /// A timeline of these points (in the order they were recorded).
    public init(points: [Point], refusedCalls: Int = 0) {
        self.points = points
        self.refusedCalls = refusedCalls
    }

    public mutating func record(inUse: Int, limit: Int, at: Timestamp) {
        points.append(Point(at: at, inUse: inUse, limit: limit))
    }

    public mutating func recordRefusal() { refusedCalls += 1 }

    /// The peak of usage within [from, to).
    public func peak(from: Timestamp, to: Timestamp) -> Int {
        var peak = usage(at: from)
        for p in points where p.at >= from && p.at < to { peak = max(peak, p.inUse) }
        return peak
    }

    /// Usage in force at `time` (the last point at or before it).
    public func usage(at time: Timestamp) -> Int { points.last { $0.at <= time }?.inUse ?? 0 }

    /// Milliseconds within [from, to) during which usage was at (or above) the limit.
    public func millisecondsAtLimit(from: Timestamp, to: Timestamp) -> Int64 {
        var total: Int64 = 0
        var current = points.last { $0.at <= from }
        var cursor = from
        for p in points where p.at > from && p.at < to {
            if let c = current, c.limit > 0, c.inUse >= c.limit { total += p.at.milliseconds(since: cursor) }
            current = p
            cursor = p.at
        }
        if let c = current, c.limit > 0, c.inUse >= c.limit, to > cursor { total += to.milliseconds(since: cursor) }
        return total
    }
}
