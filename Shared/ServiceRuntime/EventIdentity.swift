/// How the runtime identifies events: the key it deduplicates inputs on, and the ids of the events it derives.
///
/// Ids are unique per `source` (CloudEvents), so both depend on the pair (`source`, `id`): two producers that use
/// the same id must neither shadow each other's events nor give their derived events one id.
public enum EventIdentity {
    /// The dedup key: length-prefixed, so that no two (source, id) pairs share a key.
    public static func deliveryKey(source: String, id: String) -> String { "\(source.utf8.count):\(source)\(id)" }

    /// The id of the `index`-th event `service` derives from the input (`source`, `id`). Deterministic (a replay
    /// derives the same ids, which downstream dedup relies on) and at most 100 bytes however long the input's id.
    public static func derivedID(inputID id: String, source: String, service: String, index: Int) -> String {
        derivedID(base: derivedIDBase(inputID: id, source: source), service: service, index: index)
    }

    /// The part of the derived ids that depends on the input alone: computed once per input, not per output.
    public static func derivedIDBase(inputID id: String, source: String) -> String {
        id.utf8.count <= 48 ? "\(id)~\(hex(fnv1a(source.utf8)))" : "h\(hex(fnv1a(deliveryKey(source: source, id: id).utf8)))"
    }

    public static func derivedID(base: String, service: String, index: Int) -> String { "\(base)~\(service.prefix(24))~\(index)" }

    /// 64-bit FNV-1a: stable across processes and versions (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
