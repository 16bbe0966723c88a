import Synchronization

/// Records that leave a service's in-memory state for its store: history (finished calls of
/// the reports) that must be kept and queried by range, but not held in memory forever.
///
/// A state appends a record with a sortable key; the store writes each record once, under
/// the key `~archive/<field>/<key>`, and never deletes it, and does not load such records back into
/// memory (queries read them by key range instead). Records the store has written are
/// dropped from memory on the next append. So in memory a log holds at most the records of
/// the batch in progress and the one before; it is not part of the state's value: equality,
/// hashing and Codable ignore its records.
public struct ArchiveLog<Value: Codable & Sendable>: Hashable, Codable, Sendable {
    public struct Record: Sendable {
        public var key: String
        public var value: Value
    }

    /// Records not yet known to be written, in order; `records[0]` is number `base`.
    public private(set) var records: [Record] = []
    private var base = 0
    private let written: WrittenMark

    public init() { written = WrittenMark() }

    /// How many records were ever appended to this log (in this process).
    public var total: Int { base + records.count }

    public mutating func append(_ value: Value, key: String) {
        let done = written.count
        if done > base {
            // A new array, not `removeFirst`: the array is shared with the copy of the state taken before the batch
            // (and the published one), and removing from a shared array copies it at its old capacity - megabytes
            // when a sweep archived thousands of records - on every batch (report-service's largest blocks).
            let drop = min(done - base, records.count)
            records = drop == records.count ? [] : Array(records[drop...])
            base = done
        }
        records.append(Record(key: key, value: value))
    }

    /// The records appended after `older` (an earlier copy of this log) was taken; all records
    /// in memory when `older` is not a copy of this log.
    public func records(since older: Self?) -> ArraySlice<Record> {
        guard let older, older.written === written else { return records[...] }
        return records[max(0, older.total - base)...]
    }

    /// Tells every copy that the records up to this copy's end are stored.
    public func markWritten() { written.advance(to: total) }

    public static func == (a: Self, b: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}

    public init(from decoder: any Decoder) throws { self.init() }
    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: NoKeys.self)  // `{}`
    }

    private enum NoKeys: CodingKey {}
}

/// How many records of an `ArchiveLog` (and its copies) the store has written.
final class WrittenMark: Sendable {
    private let value = Atomic<Int>(0)
    var count: Int { value.load(ordering: .acquiring) }
    func advance(to n: Int) { _ = value.max(n, ordering: .releasing) }
}
