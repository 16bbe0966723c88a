/// Another service whose outputs this service consumes, with the inputs that service reads.
///
/// A service that reads both a topic and what another service derives from it (status-service reads
/// telephony events and routing's decisions) sees an order that depends on how far behind that other
/// service is: while routing-service restarts, status-service would go on with telephony events whose
/// decisions are not made yet. Declaring routing-service upstream makes the runtime hold each event
/// until the upstream service has processed everything that was on its inputs when the event arrived
/// (its consumer group's committed offsets, which it commits only once its outputs are acknowledged).
public struct UpstreamService: Sendable, Hashable {
    /// The upstream service's name (its consumer group, with the deployment's topic prefix).
    public var service: String
    /// The topics it consumes (the same partition of each holds a tenant's events).
    public var inputs: [ContractTopic]

    public init(_ service: String, inputs: [ContractTopic]) {
        self.service = service
        self.inputs = inputs
    }
}
