/// The persistent call to an agent's own phone that stays up between customer calls (F12). It holds one
/// channel from the moment it is dialled until it ends (F3); calls are bridged onto it once it is connected.
public struct AgentLeg: Hashable, Codable, Sendable {
    public enum Phase: Hashable, Codable, Sendable {
        /// Dialled; not yet answered by the agent.
        case dialing(since: Timestamp)
        /// Answered: calls can be bridged onto it.
        case connected(since: Timestamp)
    }

    public var id: LegID
    public var accountID: AccountID
    public var dialNumber: PhoneNumber
    public var phase: Phase
    /// Since when no customer call is on the leg (its idle timeout counts from here).
    public var idleSince: Timestamp

    public init(id: LegID, accountID: AccountID, dialNumber: PhoneNumber, openedAt: Timestamp) {
        self.id = id
        self.accountID = accountID
        self.dialNumber = dialNumber
        phase = .dialing(since: openedAt)
        idleSince = openedAt
    }

    public var isConnected: Bool {
        if case .connected = phase { return true }
        return false
    }

    /// How long the telephony layer may take to connect a dialled leg before routing gives up on it.
    public static let dialTimeoutSeconds = 60
}

/// Why routing closes an agent leg (`cc.call.agent-leg-close.v1`).
public enum AgentLegCloseReason: String, Codable, Sendable, CaseIterable {
    /// No customer call for the call center's `idleMinutes`.
    case idleTimeout
    /// The agent went away or signed out.
    case presence
    /// The agent's device changed (another number, or no persistent connection).
    case deviceChanged
    /// Dialled but not connected within `AgentLeg.dialTimeoutSeconds`.
    case dialTimeout
}

/// Why the telephony layer could not connect an agent leg (`cc.agent-leg.failed.v1`).
public enum AgentLegFailureReason: String, Codable, Sendable, CaseIterable {
    case noAnswer
    case busy
    case unreachable
    case voicemail
}
