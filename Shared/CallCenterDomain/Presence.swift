/// An agent's presence as the telephony layer reports it.
public enum Presence: String, Codable, Sendable, CaseIterable {
    case available
    case away
    case signedOut
}
