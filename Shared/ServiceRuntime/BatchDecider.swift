import CallCenterDomain
import EventContract
import Foundation
import KafkaClient

/// Decides a batch of released events against the tenants' states: admission (dead letters), dedup, the processor,
/// due timers, and what changed as a batch write with the outputs to encode. Synchronous and without I/O: the event
/// loop runs it inside its lock, `ProcessorTestDriver` without a broker.
struct BatchDecider<Processor: EventProcessor>: Sendable {
    typealias Slot = TenantTable<Processor.State>.Slot

    let processor: Processor
    let service: String
    let topicNames: TopicNames
    let changelogTopic: String
    /// The types each input topic accepts (the contract's allow-list), by prefixed topic name.
    let acceptedTypes: [String: Set<String>]
    /// Input topics whose events may create a tenant's state.
    let tenantCreatingTopics: Set<String>
    let deadLetters: DeadLetterWriter
    /// Where the CPU time of deciding and of collecting the changes goes (nil: not measured).
    let cpu: PhaseCPU?

    init(processor: Processor, service: String, topicNames: TopicNames, deadLetters: DeadLetterWriter, cpu: PhaseCPU? = nil) {
        self.cpu = cpu
        self.processor = processor
        self.service = service
        self.topicNames = topicNames
        changelogTopic = topicNames.changelog(service: service)
        acceptedTypes = Dictionary(processor.inputs.map { ($0.name(in: topicNames), $0.acceptedTypes) }, uniquingKeysWith: { a, _ in a })
        // A processor that reads configuration gets tenants from it; one that does not (tests) from any input.
        tenantCreatingTopics = Set((processor.inputs.contains(.config) ? [.config] : processor.inputs).map { $0.name(in: topicNames) })
        self.deadLetters = deadLetters
    }

    /// Applies the released events and, when asked, the due timers to the tenants' states, and collects the write.
    func decide(released ready: [InputMerger.Pending], timersAt now: Timestamp?, in s: inout TenantTable<Processor.State>) -> BatchDecision<Processor.State> {
        let started = cpu == nil ? 0 : PhaseCPU.threadSeconds()
        var d = BatchDecision<Processor.State>()
        var current: (tenant: TenantID, index: Dictionary<TenantID, Slot>.Index)?
        for pending in ready {
            let m = pending.message
            d.write.offsets[m.topicPartition] = m.offset + 1
            s.offsets[m.topicPartition] = m.offset + 1
            d.touchedPartitions.insert(m.partition)
            guard let decoded = admitted(pending, into: &d.write) else { continue }
            let tenant = decoded.attributes.tenantID
            // Ids are unique per source (CloudEvents): two producers may use the same id for different events.
            let id = EventIdentity.deliveryKey(source: decoded.attributes.source, id: decoded.attributes.id)
            // The tenant's slot is found by key only when the tenant changes (events of one tenant come in runs);
            // it is then reached by index, in place (inout: a read would copy the whole slot).
            if current?.tenant != tenant {
                if let i = s.slots.index(forKey: tenant) {
                    if s.slots.values[i].record.recent.contains(id) { continue }
                } else if !tenantCreatingTopics.contains(m.topic) {
                    // Tenant ids come from outside: only configuration creates a tenant's state, so events naming
                    // tenants nobody configured cannot fill memory and disk.
                    d.write.outbox.append(deadLetters.message(m, code: "tenantNotConfigured",
                                                     message: "no cc.tenant.configured.v1 or other configuration was seen for this tenant"))
                    continue
                }
                touch(tenant, partition: m.partition, in: &s, &d)
                d.dirty.insert(tenant)
                current = (tenant, s.slots.index(forKey: tenant)!)  // after `touch`, which may insert
            } else if s.slots.values[current!.index].record.recent.contains(id) {
                continue
            }
            apply(decoded, id: id, message: m, slot: current!.index, in: &s, &d)
        }
        if let now { fireTimers(now: now, in: &s, &d) }
        let decided = cpu == nil ? 0 : PhaseCPU.threadSeconds()
        collectWrites(in: &s, &d)
        if let cpu {
            cpu.add(.decide, seconds: decided - started)
            cpu.add(.changelog, seconds: PhaseCPU.threadSeconds() - decided)
        }
        return d
    }

    /// The event of a released message, or nil after dead-lettering it: undecodable, keyed by another tenant, or of
    /// a type its topic does not accept.
    func admitted(_ pending: InputMerger.Pending, into write: inout StateStore.BatchWrite) -> DecodedEvent? {
        let m = pending.message
        let decoded: DecodedEvent
        switch pending.decoded {
        case .success(let event):
            decoded = event
        case .failure(let error):
            write.outbox.append(deadLetters.message(m, code: error.code.rawValue, message: error.message))
            return nil
        }
        guard m.keyString == decoded.attributes.tenantID else {
            // Keys are tenant ids: a mismatch would put the tenant's events on two partitions.
            write.outbox.append(deadLetters.message(m, code: "keyMismatch", message: "the message key must be the tenantid"))
            return nil
        }
        guard acceptedTypes[m.topic]?.contains(decoded.attributes.type) ?? false else {
            write.outbox.append(deadLetters.message(m, code: "typeNotAllowedOnTopic",
                                           message: "\(decoded.attributes.type.prefix(100)) is not accepted on \(m.topic)"))
            return nil
        }
        return decoded
    }

    /// Records the tenant's state before its first change in this batch. The copy shares storage with the live state
    /// until the handler mutates it, so each dictionary is copied at most once per batch.
    func touch(_ tenant: TenantID, partition: Int32, in s: inout TenantTable<Processor.State>, _ d: inout BatchDecision<Processor.State>) {
        if s.slots[tenant] == nil {
            s.slots[tenant] = Slot(partition: partition, record: TenantRecord(
                state: processor.initialState(tenant: tenant), recent: RecentEventIDs()))
            d.before[tenant] = (nil, 0)
        } else if d.before[tenant] == nil, let slot = s.slots[tenant] {
            d.before[tenant] = (slot.record.state, slot.record.recent.total)
        }
    }

    /// One event through the processor, on its tenant's state in place; a rejection is a dead letter.
    func apply(_ decoded: DecodedEvent, id: String, message m: ConsumedMessage, slot: Dictionary<TenantID, Slot>.Index,
               in s: inout TenantTable<Processor.State>, _ d: inout BatchDecision<Processor.State>) {
        s.slots.values[slot].partition = m.partition
        let context = HandlerContext(tenantID: decoded.attributes.tenantID, eventTime: decoded.attributes.time, topic: m.topic,
                                     partition: m.partition, offset: m.offset)
        do {
            // In place: a rejecting handler leaves the state unchanged (EventProcessor's contract).
            let emissions = try processor.handle(decoded, state: &s.slots.values[slot].record.state, context: context)
            d.emit(emissions, input: (decoded.attributes.id, decoded.attributes.source), traceparent: decoded.attributes.traceparent,
                   tenant: decoded.attributes.tenantID,
                   service: service, topics: topicNames)
        } catch {
            d.write.outbox.append(deadLetters.message(m, code: error.code, message: error.message))
        }
        s.slots.values[slot].record.recent.insert(id)
    }

    /// Fires the timers due on the service's clock, tenant by tenant.
    func fireTimers(now: Timestamp, in s: inout TenantTable<Processor.State>, _ d: inout BatchDecision<Processor.State>) {
        for tenant in s.slots.keys.sorted() {
            guard let slot = s.slots[tenant], s.owned.contains(slot.partition),
                  let due = processor.nextDeadline(state: slot.record.state), due <= now else { continue }
            touch(tenant, partition: slot.partition, in: &s, &d)
            let emissions = processor.tick(state: &s.slots[tenant]!.record.state, now: now)
            d.dirty.insert(tenant)
            d.touchedPartitions.insert(slot.partition)
            d.emit(emissions, input: ("tick~\(tenant)~\(now.millisecondsSinceEpoch)", "/\(service)"), tenant: tenant,
                   service: service, topics: topicNames)
        }
    }

    /// SQLite and changelog: the entities each changed tenant's batch changed, and the offsets of every partition
    /// touched.
    func collectWrites(in s: inout TenantTable<Processor.State>, _ d: inout BatchDecision<Processor.State>) {
        for tenant in d.dirty.sorted() {
            guard let slot = s.slots[tenant], let b = d.before[tenant] else { continue }
            var changes = StateEntities.Changes()
            StateEntities.diff(old: b.state, new: slot.record.state, into: &changes)
            TenantChangelog.recentChanges(slot.record.recent, since: b.state == nil ? nil : b.recentTotal, into: &changes)
            for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
                d.write.entities.append((tenant, slot.partition, key, value))
                d.write.outbox.append((changelogTopic, slot.partition, TenantChangelog.key(tenant: tenant, entity: key),
                                       value.map(Array.init) ?? [], nil))
            }
            if b.state == nil { d.write.wholeTenants.append(tenant) }
            d.changedStates.append((tenant, slot.partition, slot.record.state))
        }
        for p in d.touchedPartitions.sorted() {
            let offsets = Dictionary(uniqueKeysWithValues: s.offsets.filter { $0.key.partition == p }.map { ($0.key.topic, $0.value) })
            if let blob = try? StateEntities.entity(offsets) {
                d.write.outbox.append((changelogTopic, p, "o:\(p)", Array(blob), nil))
            }
        }
    }
}
