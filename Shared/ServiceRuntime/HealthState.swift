import Synchronization

/// Readiness of a service: ready once it consumes with its state restored, and
/// not ready while it cannot reach the broker. `/healthz` only says the process lives.
public final class HealthState: Sendable {
    private let state = Mutex<(ready: Bool, reason: String)>((false, "starting"))

    public init() {}

    public var isReady: Bool { state.withLock { $0.ready } }
    public var reason: String { state.withLock { $0.reason } }

    public func markReady() { state.withLock { $0 = (true, "ready") } }
    public func markNotReady(_ reason: String) { state.withLock { $0 = (false, reason) } }
}
