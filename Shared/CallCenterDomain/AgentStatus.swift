/// An agent's status as the realtime monitor, agent control and seat view show it (T1).
public enum AgentStatus: String, Codable, Sendable, CaseIterable {
    case signedOut
    case available
    case ringing
    case talking
    case onHold
    case wrapUp
    case away
}
