/// One agent as the ACD sees it.
public struct AgentRouting: Hashable, Codable, Sendable {
    public enum Activity: Hashable, Codable, Sendable {
        case idle
        case ringing(CallID)
        case onCall(CallID)
        case wrapUp(until: Timestamp)
    }

    public var presence: Presence = .signedOut
    public var activity: Activity = .idle
    /// Since when the agent is idle: the longest-idle agent is offered first (A1).
    public var idleSince: Timestamp
    /// No-answers in a row on an external number (A5).
    public var consecutiveNoAnswers: Int = 0

    public init(idleSince: Timestamp) { self.idleSince = idleSince }

    public var isFree: Bool { presence == .available && activity == .idle }
}
