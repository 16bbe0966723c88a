import CallCenterDomain
import Foundation

/// Where HTTP views read tenants' states: the event loop's published states in a service, fixed states in tests.
public protocol TenantStateReader<State>: Sendable {
    associatedtype State: Sendable
    /// One tenant's state as of the last decided batch; nil for a tenant this instance does not hold.
    func state(of tenant: TenantID) -> State?
    /// Records archived by the `ArchiveLog` field `field`, keys in [from, to) (see `EventLoop.archived`).
    func archived(tenant: TenantID, field: String, from: String, to: String, newestFirst: Bool,
                  limit: Int) throws -> [(key: String, value: Data)]
}

extension EventLoop: TenantStateReader {}
