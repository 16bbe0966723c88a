/// A call center's announcement to agents on personal phones before a call is bridged (F15): the CRM popup is
/// unavailable there (F10), so the telephony layer says what the call is.
public struct AgentAnnouncement: Hashable, Codable, Sendable {
    public var enabled: Bool
    /// Whether the last four digits of the caller's number are said.
    public var includeCallerNumber: Bool

    public init(enabled: Bool, includeCallerNumber: Bool = false) {
        self.enabled = enabled
        self.includeCallerNumber = includeCallerNumber
    }
}
