/// Concurrent-call channels of one tenant (F3): every live leg to or from the
/// public network holds one; the contract limit is never exceeded.
public struct ChannelLedger: Hashable, Codable, Sendable {
    public private(set) var limit: Int
    /// Legs held per live call.
    public private(set) var legs: [CallID: Int] = [:]
    /// Calls that ended, with when: they can never hold channels again.
    public private(set) var ended = ChangeTrackedDictionary<Timestamp>()
    public private(set) var inUse: Int = 0
    /// Open agent legs (F12): one channel each, from dialling until they end.
    public private(set) var agentLegs: Set<LegID> = []
    /// Size of `ended` at which the next pruning pass runs (nil: `endedMemory`); doubling it after a
    /// pass that kept most calls keeps pruning amortised O(1) per call even at high call rates.
    private var pruneAt: Int?

    public init(limit: Int) { self.limit = max(0, limit) }

    /// Ledgers stored before agent legs have none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        limit = try c.decode(Int.self, forKey: .limit)
        legs = try c.decode([CallID: Int].self, forKey: .legs)
        ended = try c.decode(ChangeTrackedDictionary<Timestamp>.self, forKey: .ended)
        inUse = try c.decode(Int.self, forKey: .inUse)
        agentLegs = try c.decodeIfPresent(Set<LegID>.self, forKey: .agentLegs) ?? []
        pruneAt = try c.decodeIfPresent(Int.self, forKey: .pruneAt)
    }

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

    /// An agent leg's channel (F12), or nil at the limit.
    public mutating func openAgentLeg(_ leg: LegID) -> ChannelChange? {
        guard !agentLegs.contains(leg), inUse < limit else { return nil }
        agentLegs.insert(leg)
        inUse += 1
        return ChannelChange(legID: leg, delta: 1, inUse: inUse, limit: limit)
    }

    /// Releases an agent leg's channel. Idempotent: nil when the leg holds none.
    public mutating func closeAgentLeg(_ leg: LegID) -> ChannelChange? {
        guard agentLegs.remove(leg) != nil else { return nil }
        inUse -= 1
        return ChannelChange(legID: leg, delta: -1, inUse: inUse, limit: limit)
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

/// A change of channels in use (`cc.usage.channels-changed.v1`): a call's legs, or an agent leg's (F12).
public struct ChannelChange: Hashable, Codable, Sendable {
    /// The call whose legs changed (nil for an agent leg).
    public var callID: CallID?
    /// The agent leg whose channel changed (F12).
    public var legID: LegID?
    public var delta: Int
    public var inUse: Int
    public var limit: Int

    public init(callID: CallID, delta: Int, inUse: Int, limit: Int) {
        self.callID = callID
        self.delta = delta
        self.inUse = inUse
        self.limit = limit
    }

    public init(legID: LegID, delta: Int, inUse: Int, limit: Int) {
        self.legID = legID
        self.delta = delta
        self.inUse = inUse
        self.limit = limit
    }

    /// The call's or the leg's id (the event's subject).
    public var subject: String { callID ?? legID ?? "" }
}
