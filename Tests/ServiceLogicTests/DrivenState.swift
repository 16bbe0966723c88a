import CallCenterDomain
import EventContract
import ServiceRuntime
import Testing

/// A processor's state after events sent through the runtime's own path (`ProcessorTestDriver`): each event encoded
/// as a CloudEvent, decoded, checked and deduplicated as the service does it. An event the runtime refuses is a
/// recorded issue: the scripts hold only valid events.
enum DrivenState {
    static func of<P: EventProcessor>(_ processor: P, tenant: TenantID, clock: Timestamp,
                                      _ events: [(topic: String, payload: any EventPayload, time: Timestamp)]) -> P.State? {
        var driver = ProcessorTestDriver(processor, clock: clock)
        let names = TopicNames()
        for (i, e) in events.enumerated() {
            guard let topic = ContractTopic.allCases.first(where: { $0.name(in: names) == e.topic }) else {
                Issue.record("no contract topic \(e.topic)")
                continue
            }
            for d in driver.send(e.payload, on: topic, tenant: tenant, id: "e\(i)", time: e.time).compactMap(\.deadLetter) {
                Issue.record("event \(i) on \(e.topic) was dead-lettered: \(d.error.code) \(d.error.message)")
            }
        }
        return driver.state(of: tenant)
    }
}
