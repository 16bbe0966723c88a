import CallCenterDomain
import EventContract

/// A service's logic, as the runtime drives it: a pure function from (state, event,
/// time) to (state', events to publish), one tenant at a time. It never does I/O.
public protocol EventProcessor: Sendable {
    associatedtype State: Codable & Sendable

    /// The topics to consume.
    var inputs: [ContractTopic] { get }

    /// Services whose outputs this one consumes together with their inputs, those upstream of the others
    /// first (see `UpstreamService`). Default: none.
    var upstream: [UpstreamService] { get }

    /// Whether an input that looks caught up is confirmed with the broker before an event of another input
    /// goes out (one round trip per batch; `CC_CONFIRM_END_OFFSETS` overrides). Default: true.
    var confirmsEndOffsets: Bool { get }

    /// The state of a tenant never seen before.
    func initialState(tenant: TenantID) -> State

    /// Decides on one event. Throwing `HandlerRejection` dead-letters the event
    /// (the state must then be left unchanged).
    func handle(_ event: DecodedEvent, state: inout State, context: HandlerContext) throws(HandlerRejection) -> [Emission]

    /// Fires timers due by `now` (ring timeouts, wrap-up ends, key pauses).
    func tick(state: inout State, now: Timestamp) -> [Emission]

    /// When `tick` next has something to do for this state (nil: nothing pending).
    func nextDeadline(state: State) -> Timestamp?

    /// A tenant's channels in use and its contract limit (F3), for the service's metrics; nil for a service that
    /// does not hold the ledger.
    func channelUsage(state: State) -> (inUse: Int, limit: Int)?
}

extension EventProcessor {
    public var upstream: [UpstreamService] { [] }
    public var confirmsEndOffsets: Bool { true }
    public func tick(state: inout State, now: Timestamp) -> [Emission] { [] }
    public func nextDeadline(state: State) -> Timestamp? { nil }
    public func channelUsage(state: State) -> (inUse: Int, limit: Int)? { nil }
}

/// Where an event came from, for handlers that need it.
public struct HandlerContext: Sendable {
    public var tenantID: TenantID
    /// The event's own time (CloudEvents `time`): handlers use it as "now", so replays decide the same.
    public var eventTime: Timestamp
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(tenantID: TenantID, eventTime: Timestamp, topic: String, partition: Int32, offset: Int64) {
        self.tenantID = tenantID
        self.eventTime = eventTime
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

/// An event to publish: its topic, data, subject and time. Its id is derived by the runtime.
public struct Emission: Sendable {
    public var topic: ContractTopic
    public var payload: any EventPayload
    public var subject: String?
    public var time: Timestamp

    public init(_ topic: ContractTopic, _ payload: any EventPayload, subject: String?, time: Timestamp) {
        self.topic = topic
        self.payload = payload
        self.subject = subject
        self.time = time
    }
}

/// Input the handler refuses: it goes to the dead-letter topic with this reason.
public struct HandlerRejection: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}
