/// A call the ACD is handling.
public struct RoutedCall: Hashable, Codable, Sendable {
    public enum Phase: Hashable, Codable, Sendable {
        case queued
        case ringing(AccountID, deadline: Timestamp)
        /// Answered on a personal phone; the agent must press the key before the deadline (F5).
        case awaitingConfirmation(AccountID, deadline: Timestamp)
        case connected(AccountID)
    }

    public var id: CallID
    public var callCenterID: CallCenterID
    public var callerNumber: String
    public var arrivedAt: Timestamp
    /// Arrival order across the tenant, for first-come-first-served queues (A1).
    public var sequence: Int64
    public var phase: Phase = .queued
    public var attempts: Int = 0
    /// Agents that did not answer this call; tried again only when nobody else is free.
    public var triedAccounts: Set<AccountID> = []
    /// The plan of the current or last offer.
    public var plan: DeliveryPlan?

    public var agent: AccountID? {
        switch phase {
        case .queued: nil
        case .ringing(let a, _), .awaitingConfirmation(let a, _), .connected(let a): a
        }
    }
}
