import CallCenterDomain
import FastJSON
import Foundation
import Logging

/// Rewrites what an older release stored into the current format, so that the loop's hot paths know only the
/// current one: format v1 kept each tenant's whole state as one JSON document (`tenant_state` in SQLite, `t:<tenant>`
/// on the changelog); the current format keeps its entities (`StateEntities`, `e:` keys).
///
/// A tenant upgraded is written whole: every entity in SQLite and on the changelog, with a tombstone for its `t:`
/// key, so that a later restore from the changelog finds the whole state in the current format.
enum StoreUpgrade {
    /// Upgrades the v1 rows of a store the loop has just opened, before it sends its outbox (which then carries the
    /// changelog records). Rows that do not decode are set aside (`unreadable_state`), logged, and never dropped.
    static func run<State: Codable & Sendable>(_ store: StateStore, as type: State.Type, changelogTopic: String,
                                                logger: Logger) throws {
        guard try store.hasWholeStateTable() else { return }
        let (rows, superseded) = try store.wholeStateRows()
        var upgraded: [(tenant: String, partition: Int32, entities: [String: Data])] = []
        var unreadable: [StateStore.UnreadableRow] = []
        var outbox: [StateStore.OutboxMessage] = []
        for row in rows {
            if !superseded.contains(row.tenant) {
                do {
                    let entities = try entities(fromWholeState: row.blob, as: type)
                    upgraded.append((row.tenant, row.partition, entities))
                    outbox += changelog(tenant: row.tenant, partition: row.partition, entities: entities, topic: changelogTopic)
                } catch {
                    unreadable.append(.init(row: row, reason: "\(error)"))
                    logger.error("stored state of an older format unreadable; set aside in unreadable_state, the tenant starts afresh",
                                 metadata: [LoggingKeys.tenant: "\(row.tenant)", LoggingKeys.error: "\(error)"])
                    continue
                }
            }
            outbox.append(tombstone(tenant: row.tenant, partition: row.partition, topic: changelogTopic))
        }
        try store.finishWholeStateUpgrade(entities: upgraded, unreadable: unreadable, outbox: outbox)
        guard !rows.isEmpty else { return }
        logger.notice("stored state upgraded from format v1 (whole-state JSON) to entities", metadata: [
            "tenants": "\(upgraded.count)", "superseded": "\(superseded.count)", "unreadable": "\(unreadable.count)",
        ])
    }

    /// A v1 document (`TenantRecord` as JSON) as the current format's entities.
    static func entities<State: Codable & Sendable>(fromWholeState blob: Data, as type: State.Type) throws -> [String: Data] {
        let record = try JSON.decode(TenantRecord<State>.self, from: blob)
        var changes = StateEntities.Changes()
        StateEntities.diff(old: nil, new: record.state, into: &changes)
        TenantChangelog.recentChanges(record.recent, since: nil, into: &changes)
        return changes.compactMapValues { $0 }
    }

    /// The changelog records of a tenant's whole entity set, in key order.
    static func changelog(tenant: TenantID, partition: Int32, entities: [String: Data], topic: String) -> [StateStore.OutboxMessage] {
        entities.sorted { $0.key < $1.key }.map { key, value in
            (topic, partition, TenantChangelog.key(tenant: tenant, entity: key), Array(value), nil)
        }
    }

    /// Deletes a v1 changelog record (compaction then drops it).
    static func tombstone(tenant: TenantID, partition: Int32, topic: String) -> StateStore.OutboxMessage {
        (topic, partition, wholeStateKeyPrefix + tenant, [], nil)
    }

    static let wholeStateKeyPrefix = "t:"
}
