import Foundation
import Synchronization

/// The live monitor streams (Server-Sent Events) of all connections: one feed per tenant that looks at the
/// tenant's view every `interval` and encodes a change once for all its subscribers, whatever their number, and
/// caps on the connections per tenant and overall, so that callers cannot make the service do unbounded work.
public final class MonitorStreams: Sendable {
    /// One SSE frame (`event: monitor` with the view's JSON, or a keep-alive comment).
    public typealias Frame = String

    /// Why a subscription was refused.
    public enum Refusal: Error, Equatable {
        case tenantFull(limit: Int)
        case serviceFull(limit: Int)
    }

    private struct Feed {
        var subscribers: [Int: AsyncStream<Frame>.Continuation] = [:]
        var lastFrame: Frame?
        var poller: Task<Void, Never>?
    }

    private struct Registry {
        var feeds: [String: Feed] = [:]
        var total = 0
        var nextID = 0
    }

    public let maximumPerTenant: Int
    public let maximumOverall: Int
    private let interval: Duration
    private let keepAliveEvery: Int
    /// The tenant's view as JSON, nil when the service holds no state for it.
    private let render: @Sendable (String) -> String?
    private let registry = Mutex(Registry())

    public init(maximumPerTenant: Int = 20, maximumOverall: Int = 200, interval: Duration = .milliseconds(200),
                keepAliveEvery: Duration = .seconds(15), render: @escaping @Sendable (String) -> String?) {
        self.maximumPerTenant = maximumPerTenant
        self.maximumOverall = maximumOverall
        self.interval = interval
        self.keepAliveEvery = max(1, Int(keepAliveEvery / interval))
        self.render = render
    }

    /// The number of open streams: overall, and of one tenant.
    public var count: Int { registry.withLock { $0.total } }
    public func count(of tenant: String) -> Int { registry.withLock { $0.feeds[tenant]?.subscribers.count ?? 0 } }

    /// A stream of frames for one connection: the current view first (if the tenant has one), then every change.
    /// It ends when the caller stops iterating or `end(_:)` is called with its id.
    public func subscribe(tenant: String) throws(Refusal) -> (id: Int, frames: AsyncStream<Frame>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Frame.self, bufferingPolicy: .bufferingNewest(4))
        let id = try registry.withLock { (r: inout Registry) throws(Refusal) -> Int in
            guard r.total < maximumOverall else { throw .serviceFull(limit: maximumOverall) }
            var feed = r.feeds[tenant] ?? Feed()
            guard feed.subscribers.count < maximumPerTenant else { throw .tenantFull(limit: maximumPerTenant) }
            let id = r.nextID
            r.nextID += 1
            r.total += 1
            feed.subscribers[id] = continuation
            if let frame = feed.lastFrame { continuation.yield(frame) }
            if feed.poller == nil { feed.poller = startPoller(tenant) }
            r.feeds[tenant] = feed
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id, of: tenant) }
        return (id, stream)
    }

    /// Ends one connection's stream (on shutdown, or when its token expires).
    public func end(_ id: Int, of tenant: String) {
        let continuation = registry.withLock { $0.feeds[tenant]?.subscribers[id] }
        continuation?.finish()
    }

    private func remove(_ id: Int, of tenant: String) {
        let poller = registry.withLock { (r: inout Registry) -> Task<Void, Never>? in
            guard var feed = r.feeds[tenant], feed.subscribers.removeValue(forKey: id) != nil else { return nil }
            r.total -= 1
            if feed.subscribers.isEmpty {
                r.feeds[tenant] = nil
                return feed.poller
            }
            r.feeds[tenant] = feed
            return nil
        }
        poller?.cancel()
    }

    private func startPoller(_ tenant: String) -> Task<Void, Never> {
        Task { [weak self, interval, keepAliveEvery] in
            var quiet = 0
            while !Task.isCancelled {
                guard let self else { return }
                let frame = self.render(tenant).map { "event: monitor\ndata: \($0)\n\n" }
                quiet += 1
                self.publish(frame, keepAlive: quiet % keepAliveEvery == 0, to: tenant, whenChanged: { quiet = 0 })
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Sends a changed frame (or a keep-alive) to every subscriber of the tenant.
    private func publish(_ frame: Frame?, keepAlive: Bool, to tenant: String, whenChanged: () -> Void) {
        registry.withLock { r in
            guard var feed = r.feeds[tenant] else { return }
            if let frame, frame != feed.lastFrame {
                feed.lastFrame = frame
                r.feeds[tenant] = feed
                for continuation in feed.subscribers.values { continuation.yield(frame) }
                whenChanged()
            } else if keepAlive {
                for continuation in feed.subscribers.values { continuation.yield(": keep-alive\n\n") }
            }
        }
    }
}
