import Foundation
import GRDB
import KafkaClient

/// A service instance's SQLite file: per-tenant state (as entities, see
/// `StateEntities`), consumed offsets and the outbox, written together in one
/// transaction per batch (exactly-once effects).
public final class StateStore: Sendable {
    /// A message waiting to be produced, in the order it was committed (`seq`: its batch's).
    public struct OutboxRow: Sendable {
        public var seq: Int64
        public var topic: String
        public var partition: Int32?
        public var key: String
        public var value: [UInt8]
        /// `application/cloudevents+json` for events; nil for changelog records.
        public var contentType: String?
    }

    /// What one batch changes.
    /// A message to produce, as the outbox stores it (no content type: a changelog record).
    public typealias OutboxMessage = (topic: String, partition: Int32?, key: String, value: [UInt8], contentType: String?)

    public struct BatchWrite: Sendable {
        /// Changed entities (nil value: deleted).
        public var entities: [(tenant: String, partition: Int32, key: String, value: Data?)] = []
        /// Tenants written whole in this batch (new ones): their older entities are replaced.
        public var wholeTenants: [String] = []
        public var offsets: [TopicPartition: Int64] = [:]
        public var outbox: [OutboxMessage] = []
        /// Outbox rows up to this sequence number were acknowledged by the broker: deleted in the same transaction
        /// (so that forgetting them never waits for a transaction of its own behind the batch being written).
        public var acknowledgedOutbox: Int64?
        public var isEmpty: Bool { entities.isEmpty && offsets.isEmpty && outbox.isEmpty }
        public init() {}
    }

    let db: DatabaseQueue
    /// GLOB pattern of archived records' keys.
    private static let archived = StateEntities.archivePrefix + "*"
    /// A second, read-only connection for queries from HTTP views (archived records): in WAL mode it reads
    /// while the event loop writes, so a long query never holds up a batch.
    private let reader: DatabaseQueue
    public let path: String

    public init(directory: String, name: String = "state.sqlite") throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent(name)
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE tenant_state (tenant TEXT PRIMARY KEY, partition INTEGER NOT NULL, state BLOB NOT NULL);
                CREATE INDEX tenant_state_partition ON tenant_state(partition);
                CREATE TABLE offsets (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                                      PRIMARY KEY (topic, partition));
                CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, partition INTEGER,
                                     key TEXT NOT NULL, value BLOB NOT NULL, content_type TEXT);
                """)
        }
        // v2: state per entity. `tenant_state` (whole-state JSON of v1) is rewritten as entities by `StoreUpgrade`,
        // which needs the service's state type, when the loop opens the store.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE entity (tenant TEXT NOT NULL, partition INTEGER NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                                     PRIMARY KEY (tenant, key)) WITHOUT ROWID;
                CREATE INDEX entity_partition ON entity(partition);
                """)
        }
        // v3: a batch's outgoing messages are one row (`OutboxFrame`), not a row each: about ten statements per
        // event were most of the write's cost. Rows left in the v2 outbox become one batch, in their order.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE outbox_batch (seq INTEGER PRIMARY KEY AUTOINCREMENT, count INTEGER NOT NULL, messages BLOB NOT NULL);
                """)
            let legacy = try Row.fetchAll(db, sql: "SELECT topic, partition, key, value, content_type FROM outbox ORDER BY seq")
                .map { row -> OutboxFrame.Message in
                    let value: Data = row["value"]
                    return (row["topic"], row["partition"], row["key"], Array(value), row["content_type"])
                }
            if !legacy.isEmpty {
                try db.execute(sql: "INSERT INTO outbox_batch (count, messages) VALUES (?, ?)",
                               arguments: [legacy.count, OutboxFrame.encode(legacy)])
            }
            try db.execute(sql: "DELETE FROM outbox")
        }
        try migrator.migrate(db)
        var readOnly = Configuration()
        readOnly.readonly = true
        reader = try DatabaseQueue(path: path, configuration: readOnly)
    }

    /// A tenant's archived records (`ArchiveLog`) with keys in [from, to), in key order (the last `limit` ones,
    /// newest first, when `newestFirst`). Keys are full entity keys (`~archive/<field>/...`). Does not wait for the event
    /// loop's writes.
    public func archived(tenant: String, from: String, to: String, newestFirst: Bool = false,
                         limit: Int = -1) throws -> [(key: String, value: Data)] {
        try reader.read { db in
            try Row.fetchAll(db, sql: """
                SELECT key, value FROM entity WHERE tenant = ? AND key >= ? AND key < ?
                ORDER BY key \(newestFirst ? "DESC" : "ASC") LIMIT ?
                """, arguments: [tenant, from, to, limit]).map { ($0["key"], $0["value"]) }
        }
    }

    /// Stored offsets (next offset to read) of the given partitions. Blocking.
    public func offsets(partitions: Set<Int32>) throws -> [TopicPartition: Int64] {
        try db.read { db in
            var result: [TopicPartition: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset FROM offsets") {
                let p: Int32 = row["partition"]
                if partitions.contains(p) { result[TopicPartition(topic: row["topic"], partition: p)] = row["next_offset"] }
            }
            return result
        }
    }

    /// Every tenant's entities in the given partitions. Blocking.
    public func entities(partitions: Set<Int32>) throws -> [String: (partition: Int32, entities: [String: Data])] {
        try db.read { db in
            var result: [String: (partition: Int32, entities: [String: Data])] = [:]
            for p in partitions {
                // Archived records (`StateEntities.archivePrefix`) stay on disk: they are read by range when asked for.
                for row in try Row.fetchAll(db, sql: "SELECT tenant, key, value FROM entity WHERE partition = ? AND key NOT GLOB '\(Self.archived)'",
                                               arguments: [p]) {
                    let tenant: String = row["tenant"]
                    result[tenant, default: (p, [:])].entities[row["key"]] = row["value"]
                }
            }
            return result
        }
    }

    /// Replaces a partition's tenants and offsets with a restored copy (from the changelog). Blocking.
    public func replacePartition(_ partition: Int32, entities: [String: [String: Data]], offsets: [TopicPartition: Int64]) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM entity WHERE partition = ?", arguments: [partition])
            try db.execute(sql: "DELETE FROM offsets WHERE partition = ?", arguments: [partition])
            for (tenant, items) in entities {
                for (key, value) in items {
                    try db.execute(sql: "INSERT OR REPLACE INTO entity (tenant, partition, key, value) VALUES (?, ?, ?, ?)",
                                   arguments: [tenant, partition, key, value])
                }
            }
            for (tp, o) in offsets {
                try db.execute(sql: "INSERT OR REPLACE INTO offsets (topic, partition, next_offset) VALUES (?, ?, ?)",
                               arguments: [tp.topic, tp.partition, o])
            }
        }
    }

    /// Writes a batch in one transaction and returns the `seq` of the outbox batch it added (nil: no outbox).
    public func commit(_ batch: BatchWrite) async throws -> Int64? {
        try await withCheckedThrowingContinuation { continuation in
            commit(batch) { continuation.resume(with: $0) }
        }
    }

    /// Starts writing a batch and returns at once; `completion` runs on the writer's queue once the transaction
    /// is committed (or failed), so that a caller can wait for it without a cooperative thread.
    /// The writer thread's CPU time from the transaction's start to its commit is added to `cpu`'s `store`.
    public func commit(_ batch: BatchWrite, cpu: PhaseCPU? = nil, completion: @escaping @Sendable (Result<Int64?, any Error>) -> Void) {
        // Set and read on the writer's queue only (the transaction and its completion run there, one after the other).
        nonisolated(unsafe) var started = 0.0
        db.asyncWrite({ db in
            if cpu != nil { started = PhaseCPU.threadSeconds() }
            return try Self.write(batch, in: db)
        }, completion: { _, result in
            // Not when the transaction failed before its body ran (started would still be 0).
            if started > 0 { cpu?.add(.store, seconds: PhaseCPU.threadSeconds() - started) }
            completion(result)
        })
    }

    private static func write(_ batch: BatchWrite, in db: Database) throws -> Int64? {
        if let seq = batch.acknowledgedOutbox {
            try db.execute(sql: "DELETE FROM outbox_batch WHERE seq <= ?", arguments: [seq])
        }
        for tenant in batch.wholeTenants {
            try db.execute(sql: "DELETE FROM entity WHERE tenant = ? AND key NOT GLOB '\(Self.archived)'", arguments: [tenant])
        }
        // An upsert, not INSERT OR REPLACE: a changed entity's row is updated in place rather than deleted and
        // inserted again (with its index entry).
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO entity (tenant, partition, key, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant, key) DO UPDATE SET partition = excluded.partition, value = excluded.value
            """)
        let delete = try db.cachedStatement(sql: "DELETE FROM entity WHERE tenant = ? AND key = ?")
        for e in batch.entities {
            if let value = e.value {
                try upsert.execute(arguments: [e.tenant, e.partition, e.key, value])
            } else {
                try delete.execute(arguments: [e.tenant, e.key])
            }
        }
        let offset = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO offsets (topic, partition, next_offset) VALUES (?, ?, ?)")
        for (tp, o) in batch.offsets {
            try offset.execute(arguments: [tp.topic, tp.partition, o])
        }
        guard !batch.outbox.isEmpty else { return nil }
        try db.execute(sql: "INSERT INTO outbox_batch (count, messages) VALUES (?, ?)",
                       arguments: [batch.outbox.count, OutboxFrame.encode(batch.outbox)])
        return db.lastInsertedRowID
    }

    /// Outbox rows not yet confirmed as produced (left by a crash), oldest first: whole batches, at least `limit`
    /// rows when there are that many. A batch's rows share its `seq`.
    public func pendingOutbox(limit: Int = 10_000) async throws -> [OutboxRow] {
        try await outboxRows(sql: "SELECT seq, messages FROM outbox_batch ORDER BY seq", limit: limit)
    }

    /// The rows of the outbox batches `seqs` still holds, in order.
    public func outboxRows(_ seqs: ClosedRange<Int64>) async throws -> [OutboxRow] {
        try await outboxRows(sql: "SELECT seq, messages FROM outbox_batch WHERE seq BETWEEN ? AND ? ORDER BY seq",
                             arguments: [seqs.lowerBound, seqs.upperBound])
    }

    private func outboxRows(sql: String, arguments: StatementArguments = [], limit: Int = .max) async throws -> [OutboxRow] {
        try await db.read { db in
            var rows: [OutboxRow] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while rows.count < limit, let row = try cursor.next() {
                let seq: Int64 = row["seq"]
                let messages: Data = row["messages"]
                guard let decoded = OutboxFrame.decode(Array(messages)) else {
                    throw DatabaseError(message: "outbox batch \(seq) is not readable")
                }
                rows += decoded.map { OutboxRow(seq: seq, topic: $0.topic, partition: $0.partition, key: $0.key, value: $0.value,
                                                contentType: $0.contentType) }
            }
            return rows
        }
    }

    /// Forgets outbox batches up to `seq` once the broker acknowledged them.
    public func deleteOutbox(through seq: Int64) async throws {
        try await db.write { db in try db.execute(sql: "DELETE FROM outbox_batch WHERE seq <= ?", arguments: [seq]) }
    }

    /// Messages in the outbox.
    public func outboxCount() async throws -> Int {
        try await db.read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM outbox_batch") ?? 0 }
    }
}
