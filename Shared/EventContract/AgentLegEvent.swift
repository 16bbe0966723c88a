/// A telephony event about an agent's persistent leg (F12): its account and leg ids are checked alike.
public protocol AgentLegEvent: EventPayload {
    var accountId: String { get }
    var legId: String { get }
}

extension AgentLegEvent {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.nonEmpty(accountId, "accountId")
        try SchemaViolation.nonEmpty(legId, "legId")
        try SchemaViolation.bounded(["accountId": accountId, "legId": legId])
    }
}
