/// The ids of the last events applied to a tenant's state, so that an event
/// delivered twice (e.g. re-produced after a crash) is applied once.
///
/// Stored in chunks of `chunkSize` consecutive ids, so that a batch rewrites only
/// the chunk it appended to, and a chunk is deleted once all of its ids were evicted.
public struct RecentEventIDs: Codable, Sendable, Hashable {
    public static let capacity = 4_096
    public static let chunkSize: Int64 = 256
    private var ring: [String] = []
    private var members: Set<String> = []
    /// How many ids were ever inserted; the id inserted as number `n` sits at `ring[n % capacity]`.
    public private(set) var total: Int64 = 0

    public init() {}

    /// The state after `total` insertions, of which `lastIDs` are the most recent (oldest first).
    public init(total: Int64, lastIDs: some Collection<String>) {
        let kept = Array(lastIDs.suffix(Self.capacity))
        let first = total - Int64(kept.count)
        ring = Array(repeating: "", count: Swift.min(Self.capacity, Int(total)))
        for (i, id) in kept.enumerated() { ring[Int((first + Int64(i)) % Int64(Self.capacity))] = id }
        members = Set(kept)
        self.total = total
    }

    public func contains(_ id: String) -> Bool { members.contains(id) }

    public mutating func insert(_ id: String) {
        guard !members.contains(id) else { return }
        let slot = Int(total % Int64(Self.capacity))
        if ring.count < Self.capacity {
            ring.append(id)
        } else {
            members.remove(ring[slot])
            ring[slot] = id
        }
        members.insert(id)
        total += 1
    }

    /// The chunk holding insertion number `n`.
    public static func chunk(of n: Int64) -> Int64 { n / chunkSize }

    /// The ids of chunk `k` still remembered, oldest first.
    public func ids(inChunk k: Int64) -> [String] {
        let lower = Swift.max(k * Self.chunkSize, total - Int64(Self.capacity))
        let upper = Swift.min((k + 1) * Self.chunkSize, total)
        guard lower < upper else { return [] }
        return (lower..<upper).map { ring[Int($0 % Int64(Self.capacity))] }
    }

    /// The newest chunk whose ids have all been evicted after `total` insertions (negative: none).
    public static func lastForgottenChunk(total: Int64) -> Int64 {
        total < Int64(capacity) ? -1 : (total - Int64(capacity)) / chunkSize - 1
    }

    enum CodingKeys: String, CodingKey { case ring, next, total }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let ring = try c.decode([String].self, forKey: .ring)
        let next = try c.decode(Int.self, forKey: .next)
        // Oldest first: a full ring starts at `next`.
        let ordered = ring.count < Self.capacity ? ring : Array(ring[next...] + ring[..<next])
        self.init(total: try c.decodeIfPresent(Int64.self, forKey: .total) ?? Int64(ring.count), lastIDs: ordered)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ring, forKey: .ring)
        try c.encode(Int(total % Int64(Self.capacity)), forKey: .next)
        try c.encode(total, forKey: .total)
    }
}
