import Foundation
import GRDB
import Logging
@testable import ServiceRuntime
import TestSupport
import Testing

/// Stored formats of earlier releases are rewritten once, when the store opens; the loop reads only the current one.
@Suite("Store upgrade")
struct StoreUpgradeTests {
    typealias State = CountingProcessor.State

    func state(count: Int, digest: UInt64) -> State {
        var s = State()
        s.count = count
        s.digest = digest
        return s
    }

    @Test("a store written by the previous release (whole-state JSON per tenant) becomes entities and changelog records; a row written since in entities wins; an unreadable one is set aside, not dropped")
    func upgradesPreviousRelease() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("upgrade")).path
        let newer = try #require(try StoreUpgrade.entities(fromWholeState: PreviousReleaseStore.wholeStateJSON(state(count: 9, digest: 9)),
                                                           as: State.self))
        try PreviousReleaseStore.write(directory: dir, wholeStates: [
            .init(tenant: "a", partition: 0, json: try PreviousReleaseStore.wholeStateJSON(state(count: 5, digest: 55))),
            .init(tenant: "b", partition: 1, json: try PreviousReleaseStore.wholeStateJSON(state(count: 1, digest: 1))),
            .init(tenant: "c", partition: 2, json: Data("{not json".utf8)),
        ], entities: newer.map { ("b", 1, $0.key, $0.value) })
        let store = try StateStore(directory: dir)
        try StoreUpgrade.run(store, as: State.self, changelogTopic: "cl", logger: Logger(label: "test"))

        let stored = try store.entities(partitions: [0, 1, 2])
        #expect(Set(stored.keys) == ["a", "b"], "the unreadable tenant starts afresh")
        #expect(try TenantChangelog.record(State.self, from: stored["a"]!.entities).state == state(count: 5, digest: 55))
        #expect(try TenantChangelog.record(State.self, from: stored["b"]!.entities).state == state(count: 9, digest: 9),
                "entities written since the whole-state row win")
        // The changelog says the same: a's entities, and tombstones for the whole-state keys of a and b.
        let outbox = try await store.pendingOutbox()
        #expect(outbox.allSatisfy { $0.topic == "cl" && $0.contentType == nil })
        let aKeys = stored["a"]!.entities.keys.sorted().map { TenantChangelog.key(tenant: "a", entity: $0) }
        #expect(outbox.map(\.key) == aKeys + ["t:a", "t:b"])
        #expect(outbox.filter { $0.key.hasPrefix("t:") }.allSatisfy { $0.value.isEmpty })
        #expect(outbox.first { $0.key == "t:a" }?.partition == 0 && outbox.first { $0.key == "t:b" }?.partition == 1)
        let unreadable = try await store.db.read { db in
            try Row.fetchAll(db, sql: "SELECT tenant, partition, state, reason FROM unreadable_state")
        }
        #expect(unreadable.count == 1)
        #expect(unreadable.first.map { ($0["tenant"] as String, $0["partition"] as Int32, $0["state"] as Data) } ?? ("", -1, Data())
                == ("c", 2, Data("{not json".utf8)))
        #expect(!(try store.hasWholeStateTable()), "the old table is gone: the loop never reads it")

        // Opening again: nothing left to upgrade, nothing changes.
        let again = try StateStore(directory: dir)
        try StoreUpgrade.run(again, as: State.self, changelogTopic: "cl", logger: Logger(label: "test"))
        #expect(try again.entities(partitions: [0, 1, 2]).mapValues(\.entities) == stored.mapValues(\.entities))
        #expect(try await again.pendingOutbox().count == outbox.count)
    }

    @Test("a store created by this release has no old table after its first open")
    func freshStore() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("fresh")).path
        let store = try StateStore(directory: dir)
        #expect(try store.hasWholeStateTable(), "created by the first migration")
        try StoreUpgrade.run(store, as: State.self, changelogTopic: "cl", logger: Logger(label: "test"))
        #expect(!(try store.hasWholeStateTable()))
    }
}
