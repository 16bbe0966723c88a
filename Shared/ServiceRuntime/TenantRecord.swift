/// What the runtime keeps per tenant: the service's state and the ids of recent
/// events applied to it (to apply a re-delivered event once).
struct TenantRecord<State: Codable & Sendable>: Codable, Sendable {
    var state: State
    var recent: RecentEventIDs
}
