/// Concurrent-call channels of one tenant (F3): every live leg to or from the
/// public network holds one; the contract limit is never exceeded.
public struct ChannelLedger: Hashable, Codable, Sendable {
    public private(set) var limit: Int
    /// Legs held per live call.
    public private(set) var legs: [CallID: Int] = [:]
    /// Calls that ended, with when: they can never hold channels again.
    public private(set) var ended = ChangeTrackedDictionary<Timestamp>()
    public private(set) var inUse: Int = 0
    /// Size of `ended` at which the next pruning pass runs (nil: `endedMemory`); doubling it after a
    /// pass that kept most calls keeps pruning amortised O(1) per call even at high call rates.
    private var pruneAt: Int?

    public init(limit: Int) { self.limit = max(0, limit) }

    public var free: Int { max(0, limit - inUse) }

    /// A new contract limit. Calls already holding channels keep them; nothing new is
    /// admitted until usage is below the new limit.
    public mutating func setLimit(_ newLimit: Int) { limit = max(0, newLimit) }

    /// Admits a new call's first legs (the customer's), or refuses at the limit.
    public mutating func admit(_ call: CallID, legs count: Int = 1) -> ChannelChange? {
        guard ended[call] == nil, legs[call] == nil else { return nil }
        return take(call, count)
    }

    /// One more leg for a live call (e.g. the forwarded leg to a personal phone), or nil at the limit.
    public mutating func addLeg(_ call: CallID) -> ChannelChange? {
        guard ended[call] == nil, legs[call] != nil else { return nil }
        return take(call, 1)
    }

    /// Whether `count` more legs fit right now.
    public func canTake(_ count: Int) -> Bool { inUse + count <= limit }

    /// Releases one leg of a live call (e.g. the personal phone did not answer).
    public mutating func releaseLeg(_ call: CallID) -> ChannelChange? {
        guard let held = legs[call], held > 1 else { return nil }
        legs[call] = held - 1
        inUse -= 1
        return ChannelChange(callID: call, delta: -1, inUse: inUse, limit: limit)
    }

    /// How many ended calls are remembered before those older than an hour are forgotten.
    public static let endedMemory = 10_000

    /// Ends a call and releases all its legs. Idempotent: a second call changes nothing.
    public mutating func end(_ call: CallID, at: Timestamp) -> ChannelChange? {
        if ended.insertIfAbsent(at, forKey: call) {
            // Late events for calls that ended over an hour ago are simply unknown calls: keep the state bounded.
            if ended.count > (pruneAt ?? Self.endedMemory) {
                forgetEnded(before: at.adding(seconds: -3_600))
                pruneAt = Swift.max(Self.endedMemory, 2 * ended.count)
            }
        }
        guard let held = legs.removeValue(forKey: call) else { return nil }
        inUse -= held
        return ChannelChange(callID: call, delta: -held, inUse: inUse, limit: limit)
    }

    public func holds(_ call: CallID) -> Int { legs[call] ?? 0 }

    /// Forgets ended calls older than `before` (their late events are then simply unknown calls).
    public mutating func forgetEnded(before: Timestamp) {
        ended.removeAll { _, at in at < before }
    }

    private mutating func take(_ call: CallID, _ count: Int) -> ChannelChange? {
        guard count > 0, inUse + count <= limit else { return nil }
        legs[call, default: 0] += count
        inUse += count
        return ChannelChange(callID: call, delta: count, inUse: inUse, limit: limit)
    }
}

/// A change of channels in use (`cc.usage.channels-changed.v1`).
public struct ChannelChange: Hashable, Codable, Sendable {
    public var callID: CallID
    public var delta: Int
    public var inUse: Int
    public var limit: Int

    public init(callID: CallID, delta: Int, inUse: Int, limit: Int) {
        self.callID = callID
        self.delta = delta
        self.inUse = inUse
        self.limit = limit
    }
}
