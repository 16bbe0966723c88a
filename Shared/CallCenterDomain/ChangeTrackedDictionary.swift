import HashTreeCollections
import Synchronization

/// A `[String: Value]` that remembers which keys changed, so that a store can write
/// only those instead of comparing every entry (large tables: ended calls, report
/// records). Equality, hashing and Codable are those of the plain dictionary.
///
/// The entries live in a persistent hash trie (`TreeDictionary`): a copy shares all
/// of its nodes, and a change to a shared copy copies only the path to the entry
/// (O(log n)), not the whole table. The runtime keeps the state before each batch and
/// publishes the state after it, so with a plain dictionary every batch copied every
/// large table it touched (CPU and, while catching up, tens of megabytes).
///
/// Copies share one append-only journal of changed keys; each copy knows how far
/// the journal went at its last change. The keys changed between an older copy and
/// a newer one are within the journal between their positions (a superset when
/// other copies also changed: harmless, as the store compares values for those keys).
public struct ChangeTrackedDictionary<Value: Hashable & Codable & Sendable>: Hashable, Codable, Sendable, Sequence {
    public private(set) var entries: TreeDictionary<String, Value>
    private var journal: KeyJournal
    private var position: Int

    public init(_ dictionary: [String: Value] = [:]) {
        entries = TreeDictionary(uniqueKeysWithValues: dictionary.lazy.map { ($0.key, $0.value) })
        journal = KeyJournal()
        position = 0
    }

    public subscript(key: String) -> Value? {
        get { entries[key] }
        set {
            entries[key] = newValue
            position = journal.append(key)
        }
    }

    /// The entries as a plain dictionary (O(n): for code that needs one, not for hot paths).
    public var dictionary: [String: Value] { Dictionary(uniqueKeysWithValues: entries.lazy.map { ($0.key, $0.value) }) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: TreeDictionary<String, Value>.Keys { entries.keys }
    public var values: TreeDictionary<String, Value>.Values { entries.values }
    public func makeIterator() -> TreeDictionary<String, Value>.Iterator { entries.makeIterator() }

    /// Inserts `value` unless `key` is present (the present value stays); true when it inserted.
    /// One hash and one descent of the trie (a read then a write took two of each).
    @discardableResult
    public mutating func insertIfAbsent(_ value: Value, forKey key: String) -> Bool {
        var inserted = false
        entries.updateValue(forKey: key, default: { inserted = true; return value }(), with: { _ in })
        if inserted { position = journal.append(key) }
        return inserted
    }

    /// Removes every entry `shouldBeRemoved` picks: the trie is filtered in one pass (not a descent per key)
    /// and the removed keys are journalled together.
    public mutating func removeAll(where shouldBeRemoved: (String, Value) -> Bool) {
        var removed: [String] = []
        let kept = entries.filter { key, value in
            if shouldBeRemoved(key, value) {
                removed.append(key)
                return false
            }
            return true
        }
        guard !removed.isEmpty else { return }
        entries = kept
        position = journal.append(contentsOf: removed)
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

    public static func == (a: Self, b: Self) -> Bool { a.entries == b.entries }
    public func hash(into hasher: inout Hasher) { hasher.combine(entries) }

    // The same JSON as a plain dictionary's (`TreeDictionary` encodes as `Dictionary` does).
    public init(from decoder: any Decoder) throws {
        entries = try decoder.singleValueContainer().decode(TreeDictionary<String, Value>.self)
        journal = KeyJournal()
        position = 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(entries)
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

    /// Appends keys under one lock and returns the new end position.
    func append(contentsOf keys: [String]) -> Int {
        log.withLock { l in
            l.keys.append(contentsOf: keys)
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
