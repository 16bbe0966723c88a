import CallCenterDomain
import Foundation

/// The published views: what HTTP views and tests read of the loop, as of its last decided batch, never waiting for
/// a batch in progress.
extension EventLoop {
    /// One tenant's state as of the last decided batch, for HTTP views and tests; never waits for a batch.
    public func state(of tenant: TenantID) -> Processor.State? {
        published.withLock { $0[tenant]?.state }
    }

    /// An owned tenant's records archived by the `ArchiveLog` field `field` with keys (as the log gave them) in
    /// [from, to), in key order, or the last `limit` of them newest first; none for a tenant this instance does
    /// not own. Reads SQLite without waiting for a batch.
    public func archived(tenant: TenantID, field: String, from: String, to: String, newestFirst: Bool = false,
                         limit: Int = -1) throws -> [(key: String, value: Data)] {
        guard published.withLock({ $0[tenant] != nil }), let store = openStore.withLock({ $0 }) else { return [] }
        let prefix = StateEntities.archivePrefix + field + "/"
        return try store.archived(tenant: tenant, from: prefix + from, to: prefix + to, newestFirst: newestFirst, limit: limit)
            .map { (String($0.key.dropFirst(prefix.count)), $0.value) }
    }

    /// Tenants whose state this instance holds.
    public var tenants: [TenantID] { published.withLock { $0.keys.sorted() } }

    /// Sets the channel gauges from the published states (every tenant this instance holds); run at each scrape.
    func updateChannelGauges() {
        guard let channelGauges else { return }
        var highest = 0.0
        var atLimit = 0
        published.withLock { views in
            for view in views.values {
                guard let usage = processor.channelUsage(state: view.state), usage.limit > 0 else { continue }
                highest = max(highest, min(1, Double(usage.inUse) / Double(usage.limit)))
                if usage.inUse >= usage.limit { atLimit += 1 }
            }
        }
        channelGauges.highestShare.set(highest)
        channelGauges.atLimit.set(Double(atLimit))
    }
}
