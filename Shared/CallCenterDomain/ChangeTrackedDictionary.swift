import Synchronization

/// A `[String: Value]` that remembers which keys changed, so that a store can write
/// only those instead of comparing every entry (large tables: ended calls, report
/// records). Equality, hashing and Codable are those of the plain dictionary.
///
/// Copies share one append-only journal of changed keys; each copy knows how far
/// the journal went at its last change. The keys changed between an older copy and
/// a newer one are within the journal between their positions (a superset when
/// other copies also changed: harmless, as the store compares values for those keys).
public struct ChangeTrackedDictionary<Value: Hashable & Codable & Sendable>: Hashable, Codable, Sendable, Sequence {
    public private(set) var dictionary: [String: Value]
    private var journal: KeyJournal
    private var position: Int

    public init(_ dictionary: [String: Value] = [:]) {
        self.dictionary = dictionary
        journal = KeyJournal()
        position = 0
    }

    public subscript(key: String) -> Value? {
        get { dictionary[key] }
        set {
            dictionary[key] = newValue
            position = journal.append(key)
        }
    }

    public var count: Int { dictionary.count }
    public var isEmpty: Bool { dictionary.isEmpty }
    public var keys: Dictionary<String, Value>.Keys { dictionary.keys }
    public var values: Dictionary<String, Value>.Values { dictionary.values }
    public func makeIterator() -> Dictionary<String, Value>.Iterator { dictionary.makeIterator() }

    public mutating func removeAll(where shouldBeRemoved: (String, Value) -> Bool) {
        for (key, value) in dictionary where shouldBeRemoved(key, value) { self[key] = nil }
    }

    /// The keys that may differ from `older` (an earlier copy of this dictionary), or nil when
    /// that is not known (different journals, or the journal was trimmed past `older`).
    public func changedKeys(since older: Self) -> Set<String>? {
        guard older.journal === journal else { return nil }
        return journal.keys(from: older.position, to: position)
    }

    /// Forgets journal entries up to this copy's position (copies older than this one then
    /// answer nil to `changedKeys`).
    public func trimJournal() { journal.trim(before: position) }

    public static func == (a: Self, b: Self) -> Bool { a.dictionary == b.dictionary }
    public func hash(into hasher: inout Hasher) { hasher.combine(dictionary) }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([String: Value].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(dictionary)
    }
}

/// The journal shared by copies of one `ChangeTrackedDictionary`.
final class KeyJournal: Sendable {
    private struct Log {
        var base = 0  // absolute position of keys[0]
        var keys: [String] = []
    }
    private let log = Mutex(Log())

    /// Appends a key and returns the new end position.
    func append(_ key: String) -> Int {
        log.withLock { l in
            l.keys.append(key)
            return l.base + l.keys.count
        }
    }

    func keys(from: Int, to: Int) -> Set<String>? {
        log.withLock { l in
            guard from >= l.base, to <= l.base + l.keys.count, from <= to else { return nil }
            return Set(l.keys[(from - l.base)..<(to - l.base)])
        }
    }

    func trim(before position: Int) {
        log.withLock { l in
            let drop = min(max(0, position - l.base), l.keys.count)
            guard drop > 0 else { return }
            l.keys.removeFirst(drop)
            l.base += drop
        }
    }
}
