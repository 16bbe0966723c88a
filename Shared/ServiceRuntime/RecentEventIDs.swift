/// The ids of the last events applied to a tenant's state, so that an event
/// delivered twice (e.g. re-produced after a crash) is applied once.
public struct RecentEventIDs: Codable, Sendable, Hashable {
    public static let capacity = 4_096
    private var ring: [String] = []
    private var next = 0
    private var members: Set<String> = []

    public init() {}

    public func contains(_ id: String) -> Bool { members.contains(id) }

    public mutating func insert(_ id: String) {
        guard !members.contains(id) else { return }
        if ring.count < Self.capacity {
            ring.append(id)
        } else {
            members.remove(ring[next])
            ring[next] = id
            next = (next + 1) % Self.capacity
        }
        members.insert(id)
    }

    enum CodingKeys: String, CodingKey { case ring, next }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ring = try c.decode([String].self, forKey: .ring)
        next = try c.decode(Int.self, forKey: .next)
        members = Set(ring)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ring, forKey: .ring)
        try c.encode(next, forKey: .next)
    }
}
