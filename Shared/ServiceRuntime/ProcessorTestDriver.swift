import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging

/// Drives a processor through the runtime's own path without a broker (the idea of Kafka Streams'
/// `TopologyTestDriver`): each input becomes a Kafka message holding a CloudEvent, is decoded and checked as the event
/// loop does it (event-time limit, key, the topic's allow-list, a configured tenant), deduplicated and decided by the
/// loop's `BatchDecider`; the outputs are encoded as the loop produces them and decoded back. The changed entities of
/// each batch are kept as the store keeps them, so that `restart()` rebuilds every tenant from them.
public struct ProcessorTestDriver<Processor: EventProcessor> {
    /// An event the batch produced, on its topic.
    public struct Output: Sendable {
        public var topic: String
        public var event: DecodedEvent
    }

    let decider: BatchDecider<Processor>
    let topicNames: TopicNames
    let timeLimit: EventTimeLimit
    var tenants = TenantTable<Processor.State>()
    /// What the store holds: each tenant's entities.
    var stored: [TenantID: [String: Data]] = [:]
    var nextOffset: [String: Int64] = [:]
    /// The service's clock: event times ahead of it are refused, timers fire on `advance(to:)`.
    public private(set) var clock: Timestamp

    public init(_ processor: Processor, service: String = "test-service", clock: Timestamp,
                maximumEventAheadSeconds: Int = 3_600) {
        topicNames = TopicNames(prefix: "")
        var quiet = Logger(label: service)
        quiet.logLevel = .critical
        let now = clock
        decider = BatchDecider(processor: processor, service: service, topicNames: topicNames,
                               deadLetters: DeadLetterWriter(service: service, topic: topicNames.deadLetter, clock: { now },
                                                             logger: quiet, metrics: nil))
        timeLimit = EventTimeLimit(maximumAheadSeconds: maximumEventAheadSeconds)
        self.clock = clock
        tenants.owned = [0]
    }

    /// An event on an input topic, as a CloudEvent in structured mode keyed by its tenant; what its batch produced.
    @discardableResult
    public mutating func send<P: EventPayload>(_ payload: P, on topic: ContractTopic, tenant: TenantID, id: String,
                                               time: Timestamp, source: String = "/test", traceparent: String? = nil) -> [Output] {
        let value = CloudEventCodec.encode(payload, id: id, source: source, time: time, tenantID: tenant, subject: nil,
                                           traceparent: traceparent)
        return sendRaw(value, on: topic, key: tenant,
                       headers: [KafkaHeader(key: "content-type", string: CloudEventCodec.structuredContentType)])
    }

    /// Bytes on an input topic, as any producer may write them; what their batch produced.
    @discardableResult
    public mutating func sendRaw(_ value: [UInt8], on topic: ContractTopic, key: String?, headers: [KafkaHeader] = []) -> [Output] {
        let name = topic.name(in: topicNames)
        let offset = nextOffset[name, default: 0]
        nextOffset[name] = offset + 1
        let message = ConsumedMessage(topic: name, partition: 0, offset: offset, key: key.map { Array($0.utf8) }, value: value,
                                      headers: headers, timestampMilliseconds: clock.millisecondsSinceEpoch)
        let decoded = MessageDecoding.decode([message], timeLimit: timeLimit, now: clock)[0]
        let time = (try? decoded.get())?.attributes.time.millisecondsSinceEpoch ?? 0
        let pending = InputMerger.Pending(message: message, decoded: decoded, time: time, arrived: .now)
        return run(decider.decide(released: [pending], timersAt: nil, in: &tenants))
    }

    /// Moves the service's clock to `now` and fires the timers due; what they produced.
    @discardableResult
    public mutating func advance(to now: Timestamp) -> [Output] {
        clock = now
        return run(decider.decide(released: [], timersAt: now, in: &tenants))
    }

    /// A tenant's state as the loop would publish it.
    public func state(of tenant: TenantID) -> Processor.State? { tenants.slots[tenant]?.record.state }

    /// Rebuilds every tenant from the entities stored so far, as a restarted service does.
    public mutating func restart() throws {
        var restored = TenantTable<Processor.State>()
        restored.owned = [0]
        for (tenant, entities) in stored {
            restored.slots[tenant] = .init(partition: 0, record: try TenantChangelog.record(Processor.State.self, from: entities))
        }
        tenants = restored
    }

    /// Stores the batch's entities and returns its events: outputs encoded as the loop encodes them, dead letters.
    private mutating func run(_ decision: BatchDecision<Processor.State>) -> [Output] {
        for tenant in decision.write.wholeTenants { stored[tenant] = [:] }
        for e in decision.write.entities { stored[e.tenant, default: [:]][e.key] = e.value }
        var outbox = decision.write.outbox
        for e in decision.toEncode {
            outbox[e.index].value = e.encoded(source: "/" + decider.service)
        }
        return outbox.compactMap { m in
            guard m.contentType != nil, let event = try? CloudEventCodec.decode(value: m.value, headers: []) else { return nil }
            return Output(topic: m.topic, event: event)
        }
    }
}

extension ProcessorTestDriver.Output {
    /// The dead letter this output is, if it is one.
    public var deadLetter: StatusEvents.DeadLetter? {
        if case .deadLetter(let d) = event.event { d } else { nil }
    }
}
