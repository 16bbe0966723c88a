import CallCenterDomain
import EventContract
import FastJSON
import Foundation
import KafkaClient
import Logging
import Synchronization

/// Partition ownership: restoring newly assigned partitions (changelog first, then SQLite) and dropping revoked ones.
extension EventLoop {
    /// Restores newly assigned partitions (changelog first, local SQLite otherwise) and returns their offsets.
    func assigned(_ partitions: [TopicPartition], store: StateStore) -> [TopicPartition: Int64] {
        rebalances.add(1, ordering: .releasing)
        committing.withLock { $0 }?.waitBlocking()
        let numbers = Set(partitions.map(\.partition))
        let fresh = shared.withLock { numbers.subtracting($0.tenants.owned) }
        var upgraded: [StateStore.OutboxMessage] = []
        for p in fresh.sorted() { upgraded += restoreFromChangelog(p, store: store) }
        do {
            let offsets = try store.offsets(partitions: numbers)
            let stored = try store.entities(partitions: fresh)
            var restored: [TenantID: Slot] = [:]
            for (tenant, t) in stored {
                do {
                    restored[tenant] = Slot(partition: t.partition, record: try TenantChangelog.record(Processor.State.self, from: t.entities))
                } catch {
                    logger.error("stored state unreadable; starting the tenant afresh", metadata: [
                        LoggingKeys.tenant: "\(tenant)", LoggingKeys.error: "\(error)"])
                }
            }
            shared.withLock { s in
                s.tenants.owned.formUnion(numbers)
                for (tp, o) in offsets { s.tenants.offsets[tp] = o }
                for (tenant, slot) in restored { s.tenants.slots[tenant] = slot }
                s.upgradedChangelog += upgraded
            }
            published.withLock { views in
                for (tenant, slot) in restored { views[tenant] = (slot.partition, slot.record.state) }
            }
            logger.info("partitions owned", metadata: ["partitions": "\(numbers.sorted())", "restored_tenants": "\(restored.count)"])
            return offsets.filter { tp, _ in partitions.contains(tp) }
        } catch {
            logger.error("reading local state failed", metadata: [LoggingKeys.error: "\(error)"])
            return [:]
        }
    }

    func revoked(_ partitions: [TopicPartition]) {
        rebalances.add(1, ordering: .releasing)
        committing.withLock { $0 }?.waitBlocking()
        let numbers = Set(partitions.map(\.partition))
        shared.withLock { s in
            s.tenants.owned.subtract(numbers)
            s.merger.drop(partitions: numbers)  // paused inputs of these partitions resume with the next batch
            s.tenants.slots = s.tenants.slots.filter { !numbers.contains($0.value.partition) }
            s.tenants.offsets = s.tenants.offsets.filter { !numbers.contains($0.key.partition) }
            // Another owner restores these from the changelog now, and republishes what it finds.
            s.upgradedChangelog.removeAll { $0.partition.map(numbers.contains) ?? false }
        }
        published.withLock { views in views = views.filter { !numbers.contains($0.value.partition) } }
    }

    /// Reads partition `p` of the changelog; if it holds anything, it replaces the local copy. Returns the changelog
    /// records of tenants it found in an older format (upgraded here, see `StoreUpgrade`), to publish.
    func restoreFromChangelog(_ p: Int32, store: StateStore) -> [StateStore.OutboxMessage] {
        do {
            let records = try PartitionReader.readAll(TopicPartition(topic: changelogTopic, partition: p),
                                                      common: configuration.kafka)
            guard !records.isEmpty else { return [] }
            var wholeStates: [TenantID: Data] = [:]
            var entities: [TenantID: [String: Data]] = [:]
            var offsets: [TopicPartition: Int64] = [:]
            for r in records {
                guard let key = r.keyString else { continue }
                if let (tenant, entity) = TenantChangelog.parseKey(key) {
                    entities[tenant, default: [:]][entity] = r.value.isEmpty ? nil : Data(r.value)
                } else if key.hasPrefix(StoreUpgrade.wholeStateKeyPrefix) {
                    wholeStates[String(key.dropFirst(StoreUpgrade.wholeStateKeyPrefix.count))] = r.value.isEmpty ? nil : Data(r.value)
                } else if key.hasPrefix("o:"),
                          let map = try? JSON.decode([String: Int64].self, from: r.value) {
                    for (topic, o) in map { offsets[TopicPartition(topic: topic, partition: p)] = o }
                }
            }
            var upgraded: [StateStore.OutboxMessage] = []
            var upgradedTenants = 0
            for (tenant, blob) in wholeStates.sorted(by: { $0.key < $1.key }) where entities[tenant] == nil {
                do {
                    let whole = try StoreUpgrade.entities(fromWholeState: blob, as: Processor.State.self)
                    entities[tenant] = whole
                    upgraded += StoreUpgrade.changelog(tenant: tenant, partition: p, entities: whole, topic: changelogTopic)
                    upgraded.append(StoreUpgrade.tombstone(tenant: tenant, partition: p, topic: changelogTopic))
                    upgradedTenants += 1
                } catch {
                    // Left on the changelog as it is (not deleted): an operator can still read it.
                    logger.error("changelog record of an older format unreadable; the tenant starts afresh", metadata: [
                        LoggingKeys.partition: "\(p)", LoggingKeys.tenant: "\(tenant)", LoggingKeys.error: "\(error)"])
                }
            }
            try store.replacePartition(p, entities: entities, offsets: offsets)
            logger.info("restored partition from changelog", metadata: [
                LoggingKeys.partition: "\(p)", "tenants": "\(entities.count)", "records": "\(records.count)",
                "upgraded_tenants": "\(upgradedTenants)",
            ])
            return upgraded
        } catch {
            logger.warning("changelog not readable; using local state", metadata: [
                LoggingKeys.partition: "\(p)", LoggingKeys.error: "\(error)",
            ])
            return []
        }
    }
}
