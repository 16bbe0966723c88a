import Foundation
import GRDB
import ServiceRuntime

/// A state store as an earlier release left it: the schema of its migrations up to v2 (entities, an outbox row per
/// message) or v3 (an outbox row per batch), with each tenant's whole state as one JSON document in `tenant_state`
/// (`{"state": ..., "recent": ...}`). Written out here, not taken from `StateStore`: it must stay what those releases
/// wrote when the store's migrations change.
public enum PreviousReleaseStore {
    /// The last migration the release had applied.
    public enum Schema: String, Sendable { case v2, v3 }

    /// A message left in a v2 outbox (a row each).
    public typealias OutboxRow = (topic: String, partition: Int32?, key: String, value: [UInt8], contentType: String?)

    public struct WholeState {
        public var tenant: String
        public var partition: Int32
        public var json: Data
        public init(tenant: String, partition: Int32, json: Data) {
            self.tenant = tenant
            self.partition = partition
            self.json = json
        }
    }

    /// The JSON the previous release wrote for a tenant's state with no recent event ids.
    public static func wholeStateJSON<State: Encodable>(_ state: State) throws -> Data {
        try JSONEncoder().encode(WholeStateRecord(state: state, recent: RecentEventIDs()))
    }

    private struct WholeStateRecord<State: Encodable>: Encodable {
        var state: State
        var recent: RecentEventIDs
    }

    /// Writes `state.sqlite` in `directory`, with these whole-state rows and (written since, in the entity format)
    /// these entity rows.
    public static func write(directory: String, schema: Schema = .v3, wholeStates: [WholeState] = [],
                             entities: [(tenant: String, partition: Int32, key: String, value: Data)] = [],
                             outbox: [OutboxRow] = []) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let db = try DatabaseQueue(path: (directory as NSString).appendingPathComponent("state.sqlite"))
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1'), ('v2');
                CREATE TABLE tenant_state (tenant TEXT PRIMARY KEY, partition INTEGER NOT NULL, state BLOB NOT NULL);
                CREATE INDEX tenant_state_partition ON tenant_state(partition);
                CREATE TABLE offsets (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                                      PRIMARY KEY (topic, partition));
                CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, partition INTEGER,
                                     key TEXT NOT NULL, value BLOB NOT NULL, content_type TEXT);
                CREATE TABLE entity (tenant TEXT NOT NULL, partition INTEGER NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                                     PRIMARY KEY (tenant, key)) WITHOUT ROWID;
                CREATE INDEX entity_partition ON entity(partition);
                """)
            if schema == .v3 {
                try db.execute(sql: """
                    INSERT INTO grdb_migrations VALUES ('v3');
                    CREATE TABLE outbox_batch (seq INTEGER PRIMARY KEY AUTOINCREMENT, count INTEGER NOT NULL, messages BLOB NOT NULL);
                    """)
            }
            for m in outbox {
                try db.execute(sql: "INSERT INTO outbox (topic, partition, key, value, content_type) VALUES (?, ?, ?, ?, ?)",
                               arguments: [m.topic, m.partition, m.key, Data(m.value), m.contentType])
            }
            for w in wholeStates {
                try db.execute(sql: "INSERT INTO tenant_state (tenant, partition, state) VALUES (?, ?, ?)",
                               arguments: [w.tenant, w.partition, w.json])
            }
            for e in entities {
                try db.execute(sql: "INSERT INTO entity (tenant, partition, key, value) VALUES (?, ?, ?, ?)",
                               arguments: [e.tenant, e.partition, e.key, e.value])
            }
        }
        try db.close()
    }
}
