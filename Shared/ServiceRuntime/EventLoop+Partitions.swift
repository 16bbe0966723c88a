import CallCenterDomain
import EventContract
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
        for p in fresh.sorted() { restoreFromChangelog(p, store: store) }
        do {
            let offsets = try store.offsets(partitions: numbers)
            let stored = try store.entities(partitions: fresh)
            let legacy = try store.tenants(partitions: fresh).filter { stored[$0.tenant] == nil }
            var restored: [TenantID: Slot] = [:]
            for (tenant, t) in stored {
                do {
                    restored[tenant] = Slot(partition: t.partition, record: try TenantChangelog.record(Processor.State.self, from: t.entities))
                } catch {
                    logger.error("stored state unreadable; starting the tenant afresh", metadata: [
                        LoggingKeys.tenant: "\(tenant)", LoggingKeys.error: "\(error)"])
                }
            }
            let decoder = JSONDecoder()
            for t in legacy {
                if let record = try? decoder.decode(TenantRecord<Processor.State>.self, from: t.blob) {
                    restored[t.tenant] = Slot(partition: t.partition, record: record)
                } else {
                    logger.error("stored state unreadable; starting the tenant afresh", metadata: [LoggingKeys.tenant: "\(t.tenant)"])
                }
            }
            shared.withLock { s in
                s.tenants.owned.formUnion(numbers)
                for (tp, o) in offsets { s.tenants.offsets[tp] = o }
                for (tenant, slot) in restored { s.tenants.slots[tenant] = slot }
                s.tenants.wholeWritePending.formUnion(legacy.map(\.tenant))
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
        }
        published.withLock { views in views = views.filter { !numbers.contains($0.value.partition) } }
    }

    /// Reads partition `p` of the changelog; if it holds anything, it replaces the local copy.
    func restoreFromChangelog(_ p: Int32, store: StateStore) {
        do {
            let records = try PartitionReader.readAll(TopicPartition(topic: changelogTopic, partition: p),
                                                      common: configuration.kafka)
            guard !records.isEmpty else { return }
            var legacy: [String: Data] = [:]
            var entities: [TenantID: [String: Data]] = [:]
            var offsets: [TopicPartition: Int64] = [:]
            for r in records {
                guard let key = r.keyString else { continue }
                if let (tenant, entity) = TenantChangelog.parseKey(key) {
                    entities[tenant, default: [:]][entity] = r.value.isEmpty ? nil : Data(r.value)
                } else if key.hasPrefix("t:") {
                    legacy[String(key.dropFirst(2))] = Data(r.value)
                } else if key.hasPrefix("o:"),
                          let map = try? JSONDecoder().decode([String: Int64].self, from: Data(r.value)) {
                    for (topic, o) in map { offsets[TopicPartition(topic: topic, partition: p)] = o }
                }
            }
            for tenant in entities.keys { legacy[tenant] = nil }
            try store.replacePartition(p, entities: entities, legacy: legacy.map { ($0.key, $0.value) }, offsets: offsets)
            logger.info("restored partition from changelog", metadata: [
                LoggingKeys.partition: "\(p)", "tenants": "\(entities.count + legacy.count)", "records": "\(records.count)",
            ])
        } catch {
            logger.warning("changelog not readable; using local state", metadata: [
                LoggingKeys.partition: "\(p)", LoggingKeys.error: "\(error)",
            ])
        }
    }
}
