import Foundation
import GRDB

/// The store's side of `StoreUpgrade`: format-v1 rows read once, and replaced in one transaction.
extension StateStore {
    /// A tenant's state as format v1 stored it: one JSON document of the whole state.
    struct WholeStateRow: Sendable {
        var tenant: String
        var partition: Int32
        var blob: Data
    }

    /// A v1 row that could not be read: kept in `unreadable_state`, never dropped.
    struct UnreadableRow: Sendable {
        var row: WholeStateRow
        var reason: String
    }

    /// The v1 rows left in the store, and the tenants among them that also have entities (written since: those
    /// win). Only while `hasWholeStateTable` (it is dropped once upgraded). Blocking.
    func wholeStateRows() throws -> (rows: [WholeStateRow], superseded: Set<String>) {
        try db.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT tenant, partition, state FROM tenant_state ORDER BY tenant").map {
                WholeStateRow(tenant: $0["tenant"], partition: $0["partition"], blob: $0["state"])
            }
            var superseded: Set<String> = []
            for row in rows where try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM entity WHERE tenant = ?)",
                                                    arguments: [row.tenant]) == true {
                superseded.insert(row.tenant)
            }
            return (rows, superseded)
        }
    }

    func hasWholeStateTable() throws -> Bool {
        try db.read { try $0.tableExists("tenant_state") }
    }

    /// In one transaction: the upgraded tenants' entities, the unreadable rows set aside, one outbox batch (the
    /// changelog records that say the same), and the v1 table dropped. Blocking.
    func finishWholeStateUpgrade(entities: [(tenant: String, partition: Int32, entities: [String: Data])],
                                 unreadable: [UnreadableRow], outbox: [OutboxMessage]) throws {
        try db.write { db in
            for t in entities {
                for (key, value) in t.entities {
                    try db.execute(sql: "INSERT OR REPLACE INTO entity (tenant, partition, key, value) VALUES (?, ?, ?, ?)",
                                   arguments: [t.tenant, t.partition, key, value])
                }
            }
            if !unreadable.isEmpty {
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS unreadable_state (tenant TEXT NOT NULL, partition INTEGER NOT NULL,
                                                                 state BLOB NOT NULL, reason TEXT NOT NULL)
                    """)
                for u in unreadable {
                    try db.execute(sql: "INSERT INTO unreadable_state (tenant, partition, state, reason) VALUES (?, ?, ?, ?)",
                                   arguments: [u.row.tenant, u.row.partition, u.row.blob, u.reason])
                }
            }
            if !outbox.isEmpty {
                try db.execute(sql: "INSERT INTO outbox_batch (count, messages) VALUES (?, ?)",
                               arguments: [outbox.count, OutboxFrame.encode(outbox)])
            }
            try db.execute(sql: "DROP TABLE tenant_state")
        }
    }
}
