import CallCenterDomain
import EventContract
import FastJSON
import Foundation
import GRDB
import ReportService
import RoutingService
import ServiceRuntime
import SettingsService
import StatusService
import TestSupport
import Testing

/// Every service's state is stored entity by entity (issue 9): after each event only the changed
/// entities are written, and the stored entities rebuild exactly the live state.
@Suite("State stored as entities")
struct StateEntitiesTests {
    /// The scripted day plus accounts, devices and a device change request, for every service.
    static var events: [(topic: String, payload: any EventPayload)] {
        let accounts: [any EventPayload] = ["m", "l", "s"].map { id in
            ConfigEvents.AccountConfigured(Account(id: id, tenantID: "tenant-a", name: "Agent \(id)", role: .agent,
                                                   extension: "10", editableCallCenterIDs: ["cc1"]))
        }
        let devices: [any EventPayload] = ScriptedDay.devices.sorted { $0.key < $1.key }.map { id, device in
            SettingsEvents.Changed(DeviceChange(requestID: "r-\(id)", accountID: id, previous: .softphone, current: device,
                                                actorAccountID: id, screen: .myAccount, callCenterID: nil, warnings: [],
                                                disabledFeatures: [.crmPopup, .openCti], at: ScriptedDay.t0))
        }
        let requests: [any EventPayload] = ScriptedDay.devices.sorted { $0.key < $1.key }.map { id, device in
            SettingsEvents.ChangeRequested(requestId: "q-\(id)", actorAccountId: id, screen: .myAccount,
                                           targetAccountId: id, device: ContractDevice(device))
        }
        let events = ScriptedDay.events
        return Array(events.prefix(2)) + accounts.map { ("cc.config", $0) }
            + requests.map { ("cc.settings.commands", $0) } + devices.map { ("cc.settings.events", $0) }
            + Array(events.dropFirst(2))
    }

    /// Feeds the events one by one; after each, applies the diff to a stored copy; checks the copy
    /// rebuilds the state after every event, and that an untouched state writes nothing.
    func roundTrip<P: EventProcessor>(_ processor: P) throws where P.State: Equatable {
        var state = processor.initialState(tenant: "tenant-a")
        var stored: [String: Data] = [:]
        func apply(_ changes: StateEntities.Changes) {
            for (k, v) in changes { stored[k] = v }
        }
        var changes = StateEntities.Changes()
        StateEntities.diff(old: nil, new: state, into: &changes)
        apply(changes)
        var largest = 0
        for (i, e) in Self.events.enumerated() {
            func decoded<E: EventPayload>(_ p: E) throws -> DecodedEvent {
                try CloudEventCodec.decode(value: CloudEventCodec.encode(p, id: "e\(i)", source: "/t", time: ScriptedDay.t0,
                                                                         tenantID: "tenant-a", subject: nil), headers: [])
            }
            let old = state
            let context = HandlerContext(tenantID: "tenant-a", eventTime: ScriptedDay.t0, topic: e.topic, partition: 0,
                                         offset: Int64(i))
            _ = try? processor.handle(try decoded(e.payload), state: &state, context: context)
            var changes = StateEntities.Changes()
            StateEntities.diff(old: old, new: state, into: &changes)
            if old == state { #expect(changes.isEmpty, "event \(i) changed nothing but wrote \(changes.keys.sorted())") }
            largest = max(largest, changes.count)
            apply(changes)
            let restored = try StateEntities.restore(P.State.self, from: stored)
            #expect(restored == state, "after event \(i) (\(type(of: e.payload).eventType))")
        }
        let whole = try JSONEncoder().encode(state).count
        // Entities are written by the fast encoder: the same bytes as Foundation's sorted-keys encoder.
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try JSON.encode(state) == Array(try foundation.encode(state)))
        // And restored by the fast decoder as Foundation's decoder reads them.
        #expect(try JSON.decode(P.State.self, from: foundation.encode(state)) == JSONDecoder().decode(P.State.self, from: foundation.encode(state)))
        let entityBytes = stored.values.map(\.count).reduce(0, +)
        #expect(largest < stored.count, "a single event never rewrites every entity (\(largest) of \(stored.count))")
        #expect(entityBytes > 0 && whole > 0)
        var fresh = StateEntities.Changes()
        StateEntities.diff(old: nil, new: state, into: &fresh)
        #expect(try StateEntities.restore(P.State.self, from: fresh.compactMapValues { $0 }) == state)
    }

    @Test("settings-service registry round-trips entity by entity")
    func settings() throws { try roundTrip(SettingsProcessor()) }

    @Test("routing-service state (queues, agents, ledger, keys) round-trips entity by entity")
    func routing() throws { try roundTrip(RoutingProcessor()) }

    @Test("status-service board round-trips entity by entity")
    func status() throws { try roundTrip(StatusProcessor()) }

    @Test("report-service aggregates round-trip entity by entity; appended records write only themselves")
    func report() throws { try roundTrip(ReportProcessor()) }

    struct Inner: Codable, Equatable {
        var legs: [String: Int] = [:]
        var limit = 3
    }
    struct Toy: Codable, Equatable {
        var name: String? = nil
        var table: [String: [String]] = [:]
        var log: [Int] = []
        var inner = Inner()
        var at = Timestamp(seconds: 1)
        var tracked = ChangeTrackedDictionary<Int>()
    }

    @Test("only touched entries are written; removals and rewrites of arrays are stored; keys with slashes survive")
    func toy() throws {
        var toy = Toy()
        var stored: [String: Data] = [:]
        func step(_ change: (inout Toy) -> Void) throws -> Set<String> {
            let old = toy
            change(&toy)
            var changes = StateEntities.Changes()
            StateEntities.diff(old: old, new: toy, into: &changes)
            for (k, v) in changes { stored[k] = v }
            #expect(try StateEntities.restore(Toy.self, from: stored) == toy)
            return Set(changes.keys)
        }
        var all = StateEntities.Changes()
        StateEntities.diff(old: nil, new: toy, into: &all)
        stored = all.compactMapValues { $0 }
        #expect(try StateEntities.restore(Toy.self, from: stored) == toy)
        #expect(try step { $0.table["a/b.c"] = ["x"]; $0.table["d"] = [] } == ["table/a/b.c", "table/d"])
        #expect(try step { $0.log.append(contentsOf: [1, 2, 3]) } == ["log[]/0", "log[]/1", "log[]/2"])
        #expect(try step { $0.log.append(4) } == ["log[]/3"])
        #expect(try step { $0.log = [9] } == ["log[]/0", "log[]/1", "log[]/2", "log[]/3"])
        #expect(try step { $0.inner.legs["c1"] = 2 } == ["inner.legs/c1"])
        #expect(try step { $0.table["d"] = nil; $0.name = "n" } == ["table/d", "name"])
        #expect(try step { $0.name = nil } == ["name"])
        #expect(try step { $0.at = Timestamp(seconds: 2) } == ["at"])
        #expect(try step { _ in } == [])
        #expect(try step { t in for i in 0..<1_000 { t.tracked["k\(i)"] = i } }.count == 1_000)
        #expect(try step { $0.tracked["k5"] = 6; $0.tracked["k7"] = nil; $0.tracked["k8"] = 8 } == ["tracked/k5", "tracked/k7"],
                "only journaled keys are compared; k8 was set to the value it had")
        #expect(try step { $0.tracked.removeAll { _, v in v > 995 } } == ["tracked/k996", "tracked/k997", "tracked/k998", "tracked/k999"])
        var copy = toy.tracked
        copy["x"] = 1  // a discarded copy's change widens the journal range but writes nothing false
        #expect(try step { $0.tracked["k1"] = 0 } == ["tracked/k1"])
        #expect(toy.tracked.changedKeys(since: Toy().tracked) == nil, "unrelated copies: unknown, so everything is compared")
    }

    @Test("a tracked table's copies share storage: a change to one leaves the other; restored copies compare entry by entry; JSON is a dictionary's")
    func trackedTableCopies() throws {
        var toy = Toy()
        for i in 0..<5_000 { toy.tracked["k\(i)"] = i }
        let before = toy
        toy.tracked["k1"] = -1
        toy.tracked["new"] = 7
        #expect(before.tracked["k1"] == 1 && before.tracked["new"] == nil && before.tracked.count == 5_000)
        #expect(toy.tracked["k1"] == -1 && toy.tracked.count == 5_001)
        #expect(before.tracked != toy.tracked)
        // The JSON of a plain dictionary, both ways.
        let json = try JSONEncoder().encode(toy.tracked)
        #expect(try JSONDecoder().decode([String: Int].self, from: json) == toy.tracked.dictionary)
        let restored = try JSONDecoder().decode(ChangeTrackedDictionary<Int>.self, from: json)
        #expect(restored == toy.tracked)
        // A restored copy has its own journal: the next diff compares every entry and finds only real changes.
        var changed = restored
        changed["k2"] = 0
        changed["k3"] = nil
        var changes = StateEntities.Changes()
        StateEntities.diff(old: Toy(tracked: restored), new: Toy(tracked: changed), into: &changes)
        #expect(changes == ["tracked/k2": Data("0".utf8), "tracked/k3": Data?.none] as StateEntities.Changes)
    }

    @Test("insert-if-absent keeps a present value; a bulk removal leaves the older copy whole; the diff names exactly what both changed")
    func trackedTableInsertIfAbsentAndBulkRemoval() throws {
        var toy = Toy()
        for i in 0..<1_000 { toy.tracked["k\(i)"] = i }
        let before = toy
        let replacedPresent = toy.tracked.insertIfAbsent(-5, forKey: "k5")
        #expect(!replacedPresent && toy.tracked["k5"] == 5)
        let insertedNew = toy.tracked.insertIfAbsent(42, forKey: "new")
        #expect(insertedNew && toy.tracked["new"] == 42)
        toy.tracked.removeAll { key, value in value >= 990 && key != "new" }
        toy.tracked.removeAll { _, _ in false }  // removes nothing, journals nothing
        #expect(toy.tracked.count == 991)
        #expect(before.tracked.count == 1_000 && before.tracked["k995"] == 995 && before.tracked["new"] == nil)
        var changes = StateEntities.Changes()
        StateEntities.diff(old: before, new: toy, into: &changes)
        var expected: StateEntities.Changes = ["tracked/new": Data("42".utf8)]
        for i in 990..<1_000 { expected["tracked/k\(i)"] = Data?.none }
        #expect(changes == expected)
    }

    @Test("a batch's outgoing messages are kept as one outbox row, exactly, until acknowledged; the next batch's transaction deletes them")
    func outboxBatches() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UInt64.random(in: 0...UInt64.max))").path
        let store = try StateStore(directory: dir)
        var first = StateStore.BatchWrite()
        let binary = (0...255).map(UInt8.init)
        first.outbox = [("cc.routing.decisions", nil, "tenant-ä", Array("0".utf8), "application/cloudevents+json"),
                        ("changelog", 7, "e:1:t~recent/0", binary, nil), ("changelog", 0, "", [], nil)]
        let firstSeq = try #require(try await store.commit(first))
        #expect(try await store.outboxCount() == 3)
        let pending = try await store.pendingOutbox()
        #expect(pending.map(\.seq) == [firstSeq, firstSeq, firstSeq], "one batch, one row")
        #expect(pending.map(\.topic) == first.outbox.map(\.topic) && pending.map(\.partition) == first.outbox.map(\.partition)
                && pending.map(\.key) == first.outbox.map(\.key) && pending.map(\.value) == first.outbox.map(\.value)
                && pending.map(\.contentType) == first.outbox.map(\.contentType))
        var second = StateStore.BatchWrite()
        second.outbox = [("out", nil, "t", Array("3".utf8), nil)]
        second.acknowledgedOutbox = firstSeq
        _ = try await store.commit(second)
        #expect(try await store.pendingOutbox().map { String(decoding: $0.value, as: UTF8.self) } == ["3"])
        #expect(try await store.pendingOutbox(limit: 1).count == 1)
        // Read back by seq (a batch retried message by message): only the batches of the range still held.
        var third = StateStore.BatchWrite()
        third.outbox = [("out", nil, "t", Array("4".utf8), nil), ("out", nil, "t", Array("5".utf8), nil)]
        let thirdSeq = try #require(try await store.commit(third))
        #expect(try await store.outboxRows(firstSeq...thirdSeq).map { String(decoding: $0.value, as: UTF8.self) } == ["3", "4", "5"])
        #expect(try await store.outboxRows(thirdSeq...thirdSeq).map(\.seq) == [thirdSeq, thirdSeq])
        #expect(try await store.outboxRows(firstSeq...firstSeq).isEmpty, "acknowledged and deleted")
    }

    @Test("messages left in the outbox of an older version (a row each) become one batch on upgrade, in order")
    func outboxUpgrade() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-v2-\(UInt64.random(in: 0...UInt64.max))").path
        // The schema as version 2 left it, two messages in its outbox.
        try PreviousReleaseStore.write(directory: dir, schema: .v2, outbox: [("a", nil, "t", [0x31], "ce"), ("b", 3, "k", [0x32], nil)])
        let store = try StateStore(directory: dir)
        let pending = try await store.pendingOutbox()
        #expect(pending.map(\.topic) == ["a", "b"] && pending.map(\.partition) == [nil, 3] && pending.map(\.value) == [[0x31], [0x32]]
                && pending.map(\.contentType) == ["ce", nil])
        try await store.deleteOutbox(through: pending[0].seq)
        #expect(try await store.outboxCount() == 0)
    }

    struct Archiving: Codable, Equatable {
        var open: [String: Int] = [:]
        var archive = ArchiveLog<Int>()
    }

    @Test("an ArchiveLog writes each record once under ~archive/field/key, never deletes one, restores empty, and lets go of written records")
    func archiveLog() throws {
        var state = Archiving()
        var changes = StateEntities.Changes()
        StateEntities.diff(old: nil, new: state, into: &changes)
        #expect(changes == ["open": Data("{}".utf8), "archive": Data("{}".utf8)])
        var old = state
        state.open["c"] = 1
        state.archive.append(7, key: "0001~a")
        state.archive.append(8, key: "0002~b")
        changes = [:]
        StateEntities.diff(old: old, new: state, into: &changes)
        #expect(changes == ["open/c": Data("1".utf8), "~archive/archive/0001~a": Data("7".utf8), "~archive/archive/0002~b": Data("8".utf8)])
        // The next batch: one more record; the written two are let go of, and nothing is deleted.
        old = state
        state.open["c"] = nil
        state.archive.append(9, key: "0003~c")
        #expect(state.archive.records.map(\.key) == ["0003~c"])
        changes = [:]
        StateEntities.diff(old: old, new: state, into: &changes)
        #expect(changes == ["open/c": Data?.none, "~archive/archive/0003~c": Data("9".utf8)] as StateEntities.Changes)
        // A batch that appends nothing writes nothing.
        old = state
        changes = [:]
        StateEntities.diff(old: old, new: state, into: &changes)
        #expect(changes.isEmpty)
        // A sweep archives thousands at once; once written, the next batch's first append lets go of them without
        // copying the array it shares with the state kept before the batch (it used to keep its capacity: megabytes).
        for i in 0..<5_000 { state.archive.append(i, key: "k\(i)") }
        changes = [:]
        StateEntities.diff(old: old, new: state, into: &changes)
        old = state
        state.archive.append(1, key: "next")
        #expect(state.archive.records.map(\.key) == ["next"] && state.archive.records.capacity < 100)
        #expect(old.archive.records.count == 5_000, "the copy kept before the batch is untouched")
        // Restoring (the store leaves `~` keys out) gives an empty log; a log never counts in equality.
        let restored = try StateEntities.restore(Archiving.self, from: ["open": Data("{}".utf8), "archive": Data("{}".utf8)])
        #expect(restored.archive.records.isEmpty && restored == state)
    }

    @Test("the store keeps archived records out of restored state and reads them by key range, while a batch writes")
    func archivedRecordsInTheStore() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("archive-\(UInt64.random(in: 0...UInt64.max))").path
        let store = try StateStore(directory: dir)
        var write = StateStore.BatchWrite()
        write.entities = [("t", 0, "calls/x", Data("1".utf8)), ("t", 0, "~recent/0", Data("[]".utf8))]
        for (i, ms) in [100, 200, 300, 400].enumerated() {
            write.entities.append(("t", 0, "~archive/calls/" + String(repeating: "0", count: 12) + "\(ms)~c\(i)", Data("\(ms)".utf8)))
        }
        write.entities.append(("u", 0, "~archive/calls/000000000000200~other", Data("0".utf8)))
        _ = try await store.commit(write)
        let restored = try store.entities(partitions: [0])
        #expect(restored["t"]?.entities.keys.sorted() == ["calls/x", "~recent/0"], "the runtime's own ~ keys are restored")
        let range = try store.archived(tenant: "t", from: "~archive/calls/000000000000200", to: "~archive/calls/000000000000400")
        #expect(range.map { String(decoding: $0.value, as: UTF8.self) } == ["200", "300"], "[from, to), this tenant's only")
        let newest = try store.archived(tenant: "t", from: "~archive/calls/", to: "~archive/calls/000000000000400",
                                        newestFirst: true, limit: 1)
        #expect(newest.map(\.key) == ["~archive/calls/000000000000300~c2"], "the last one before a bound")
        // A tenant written whole again (state unreadable, started afresh) keeps its archive.
        var whole = StateStore.BatchWrite()
        whole.wholeTenants = ["t"]
        whole.entities = [("t", 0, "calls/y", Data("2".utf8))]
        _ = try await store.commit(whole)
        #expect(try store.entities(partitions: [0])["t"]?.entities.keys.sorted() == ["calls/y"])
        #expect(try store.archived(tenant: "t", from: "~archive/", to: "~archive0").count == 4)
    }
}
