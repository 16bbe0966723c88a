/// A telephony event about one agent on one call (answered, voicemail detected): its ids are checked alike.
public protocol AgentCallEvent: EventPayload {
    var callId: String { get }
    var accountId: String { get }
}

extension AgentCallEvent {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.nonEmpty(callId, "callId")
        try SchemaViolation.nonEmpty(accountId, "accountId")
    }
}
