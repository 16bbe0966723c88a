import CallCenterDomain
import FastJSON
import Foundation

/// How a tenant's record is stored, in SQLite and on the changelog topic: its state's entities (`StateEntities`)
/// and its recent event ids in chunks under `~recent/<chunk>`; changelog keys name the tenant and the entity.
enum TenantChangelog {
    static let recentPrefix = "~recent/"

    /// Changelog key of one entity: `e:<length of tenant>:<tenant><entity>`.
    static func key(tenant: TenantID, entity: String) -> String {
        "e:\(tenant.utf8.count):\(tenant)\(entity)"
    }

    static func parseKey(_ key: String) -> (tenant: TenantID, entity: String)? {
        let bytes = Array(key.utf8)
        guard bytes.count > 2, bytes[0] == UInt8(ascii: "e"), bytes[1] == UInt8(ascii: ":"),
              let colon = bytes[2...].firstIndex(of: UInt8(ascii: ":")),
              let length = Int(String(decoding: bytes[2..<colon], as: UTF8.self)),
              colon + 1 + length <= bytes.count else { return nil }
        let tenantEnd = colon + 1 + length
        return (String(decoding: bytes[(colon + 1)..<tenantEnd], as: UTF8.self),
                String(decoding: bytes[tenantEnd...], as: UTF8.self))
    }

    /// The recent-id chunks a batch appended to, and the chunks it evicted entirely (`since` nil: all chunks).
    static func recentChanges(_ recent: RecentEventIDs, since: Int64?,
                              into changes: inout StateEntities.Changes) {
        let total = recent.total
        let start = since ?? Swift.max(0, total - Int64(RecentEventIDs.capacity))
        guard total > start else { return }
        for k in RecentEventIDs.chunk(of: start)...RecentEventIDs.chunk(of: total - 1) {
            changes[recentPrefix + String(k)] = try? StateEntities.entity(recent.ids(inChunk: k))
        }
        let forgotten = RecentEventIDs.lastForgottenChunk(total: total)
        let alreadyForgotten = since.map { RecentEventIDs.lastForgottenChunk(total: $0) } ?? -1
        if forgotten > alreadyForgotten {
            for k in (alreadyForgotten + 1)...forgotten { changes[recentPrefix + String(k)] = .some(nil) }
        }
    }

    /// A tenant's record from its stored entities.
    static func record<State: Codable & Sendable>(_ type: State.Type, from entities: [String: Data]) throws -> TenantRecord<State> {
        var stateEntities: [String: Data] = [:]
        var chunks: [Int64: [String]] = [:]
        for (key, value) in entities {
            if key.hasPrefix(recentPrefix) {
                if let k = Int64(key.dropFirst(recentPrefix.count)) {
                    chunks[k] = try JSON.decode([String].self, from: value)
                }
            } else {
                stateEntities[key] = value
            }
        }
        let state = try StateEntities.restore(State.self, from: stateEntities)
        var recent = RecentEventIDs()
        if let newest = chunks.keys.max() {
            let total = newest * RecentEventIDs.chunkSize + Int64(chunks[newest]!.count)
            recent = RecentEventIDs(total: total, lastIDs: chunks.keys.sorted().flatMap { chunks[$0]! })
        }
        return TenantRecord(state: state, recent: recent)
    }
}
