import CallCenterDomain
import EventContract
import Foundation

/// What deciding a batch produced.
struct BatchDecision<State: Codable & Sendable> {
    var write = StateStore.BatchWrite()
    /// An output to encode after the batch's decisions (on all cores), into the outbox at `index`.
    struct Output: Sendable {
        var index: Int
        var emission: Emission
        var id: String
        var tenant: TenantID
        /// The input's traceparent, passed on.
        var traceparent: String?

        /// The output's Kafka value, as the service produces it.
        func encoded(source: String) -> [UInt8] {
            CloudEventCodec.encode(emission.payload, id: id, source: source, time: emission.time, tenantID: tenant,
                                   subject: emission.subject, traceparent: traceparent)
        }
    }

    var toEncode: [Output] = []
    /// Each tenant's state before this batch (nil: write it whole), to store only what changed.
    var before: [TenantID: (state: State?, recentTotal: Int64)] = [:]
    var dirty: Set<TenantID> = []
    var touchedPartitions: Set<Int32> = []
    var changedStates: [(tenant: TenantID, partition: Int32, state: State)] = []

    /// Adds a handler's emissions to the outbox, their values to be encoded, their ids derived from the input's.
    mutating func emit(_ emissions: [Emission], input: (id: String, source: String), traceparent: String? = nil, tenant: TenantID,
                       service: String, topics: TopicNames) {
        guard !emissions.isEmpty else { return }
        // Inside the batch's lock: the input's part of the ids (a hash of its source) is computed once.
        let base = EventIdentity.derivedIDBase(inputID: input.id, source: input.source)
        for (i, e) in emissions.enumerated() {
            toEncode.append(Output(index: write.outbox.count, emission: e, id: EventIdentity.derivedID(base: base, service: service, index: i),
                                   tenant: tenant, traceparent: traceparent))
            write.outbox.append((e.topic.name(in: topics), nil, tenant, [], CloudEventCodec.structuredContentType))
        }
    }
}
