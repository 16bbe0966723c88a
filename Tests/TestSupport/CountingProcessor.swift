import CallCenterDomain
#if canImport(Glibc)
import Glibc
#endif
import EventContract
import Foundation
import ServiceRuntime

/// A test service's logic: counts `cc.call.offered.v1` per tenant, folds their ids
/// into an order-sensitive digest, and answers each with a `cc.routing.call-queued.v1`.
/// A call center named "reject" makes the handler refuse the event.
public struct CountingProcessor: EventProcessor {
    public struct State: Codable, Sendable, Hashable {
        public var count = 0
        public var digest: UInt64 = 14_695_981_039_346_656_037
        public init() {}
    }

    /// Time spent per event, so that process tests can kill the service mid-stream on any machine
    /// (a fast machine would otherwise finish 10,000 events before the first kill).
    public var pausePerEvent: Duration
    /// While a file exists at this path, the handler blocks (after creating `<path>.reached`), so that a
    /// test can look at the service while a batch is being decided.
    public var holdWhileFileExists: String?
    /// Counts the events this process has handled (not restored ones).
    public let handled: HandledCounter

    public init(pausePerEvent: Duration = .zero, holdWhileFileExists: String? = nil, handled: HandledCounter = HandledCounter()) {
        self.pausePerEvent = pausePerEvent
        self.holdWhileFileExists = holdWhileFileExists
        self.handled = handled
    }

    public var inputs: [ContractTopic] { [.telephonyEvents] }

    public func initialState(tenant: TenantID) -> State { State() }

    public func handle(_ event: DecodedEvent, state: inout State, context: HandlerContext) throws(HandlerRejection) -> [Emission] {
        guard case .callOffered(let offered) = event.event else { return [] }
        if offered.callCenterId == "reject" {
            throw HandlerRejection(code: "handlerRejected", message: "call center 'reject' refuses calls")
        }
        if let hold = holdWhileFileExists, FileManager.default.fileExists(atPath: hold) {
            _ = FileManager.default.createFile(atPath: hold + ".reached", contents: nil)
            while FileManager.default.fileExists(atPath: hold) { usleep(10_000) }
        }
        if pausePerEvent > .zero {
            let (seconds, attoseconds) = pausePerEvent.components
            usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }
        handled.increment()
        state.count += 1
        state.digest = Self.fold(state.digest, event.attributes.id)
        return [Emission(.routingDecisions, RoutingEvents.CallQueued(
            callId: offered.callId, callCenterId: offered.callCenterId, position: state.count,
            reason: .noAgentAvailable, at: context.eventTime), subject: offered.callId, time: context.eventTime)]
    }

    /// FNV-1a over the event ids in processing order.
    public static func fold(_ digest: UInt64, _ id: String) -> UInt64 {
        var h = digest
        for b in id.utf8 {
            h ^= UInt64(b)
            h = h &* 1_099_511_628_211
        }
        return h ^ 0xFF
    }
}
