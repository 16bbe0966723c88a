import Synchronization

/// Readiness of a service: ready when every component that must be ready is
/// (the broker answers; the consume loop runs with its state restored).
/// `/healthz` only says the process lives.
public final class HealthState: Sendable {
    public enum Component: String, Sendable, CaseIterable { case broker, consumer }

    private let state: Mutex<[Component: String]>  // not-ready components and why

    /// - Parameter requiring: the components that must be ready.
    public init(requiring: [Component] = [.broker]) {
        state = Mutex(Dictionary(uniqueKeysWithValues: requiring.map { ($0, "starting") }))
    }

    public var isReady: Bool { state.withLock { $0.isEmpty } }
    public var reason: String {
        state.withLock { s in s.isEmpty ? "ready" : s.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue): \($0.value)" }.joined(separator: "; ") }
    }
    /// What `/readyz` shows anyone who asks: which components are not ready, never the internal error text
    /// (broker addresses, librdkafka messages), which only the service's log carries.
    public var publicReason: String {
        state.withLock { s in s.isEmpty ? "ready" : s.keys.map(\.rawValue).sorted().joined(separator: ", ") }
    }
    public func isReady(_ c: Component) -> Bool { state.withLock { $0[c] == nil } }

    public func markReady(_ c: Component = .broker) { state.withLock { _ = $0.removeValue(forKey: c) } }
    public func markNotReady(_ reason: String, _ c: Component = .broker) { state.withLock { $0[c] = reason } }
}
