/// Byte limits on the ids and short texts of routing decisions and call commands: services keep them in memory and
/// on disk (calls, agents), so none may be larger than the contract's ids (200 bytes).
extension SchemaViolation {
    static func bounded(_ fields: KeyValuePairs<String, String?>, bytes: Int = 200) throws(SchemaViolation) {
        for (name, value) in fields where (value?.utf8.count ?? 0) > bytes {
            throw SchemaViolation(name, "at most \(bytes) bytes")
        }
    }
}

extension RoutingEvents.OfferedToAgent {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.bounded(["callId": callId, "callCenterId": callCenterId, "accountId": accountId,
                                     "dialNumber": dialNumber, "presentedCallerId": presentedCallerId, "legId": legId,
                                     "announcement.callCenterName": announcement?.callCenterName])
    }
}

extension RoutingEvents.CallQueued {
    public func validate() throws(SchemaViolation) { try SchemaViolation.bounded(["callId": callId, "callCenterId": callCenterId]) }
}

extension RoutingEvents.CallRejected {
    public func validate() throws(SchemaViolation) { try SchemaViolation.bounded(["callId": callId]) }
}

extension RoutingEvents.OfferCancelled {
    public func validate() throws(SchemaViolation) { try SchemaViolation.bounded(["callId": callId, "accountId": accountId]) }
}

extension RoutingEvents.AgentNoAnswerRecorded {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.bounded(["callId": callId, "accountId": accountId, "callCenterId": callCenterId])
        try SchemaViolation.require((0...1_000_000).contains(consecutiveNoAnswers), "consecutiveNoAnswers", "0 to 1000000")
    }
}

extension RoutingEvents.MonitorDecided {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.bounded(["requestId": requestId, "reason": reason, "supervisorAccountId": supervisorAccountId,
                                     "targetAccountId": targetAccountId, "callId": callId])
    }
}

extension RoutingEvents.OutboundDecided {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.bounded(["requestId": requestId, "reason": reason, "presentedCallerId": presentedCallerId,
                                     "accountId": accountId, "to": to])
    }
}

extension RoutingEvents.SeatViewCallLabelled {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.bounded(["callId": callId, "fromAccountId": fromAccountId, "toAccountId": toAccountId])
    }
}

extension CallCommandEvents.Hold {
    public func validate() throws(SchemaViolation) { try SchemaViolation.bounded(["callId": callId, "accountId": accountId, "source": source]) }
}

extension CallCommandEvents.Unhold {
    public func validate() throws(SchemaViolation) { try SchemaViolation.bounded(["callId": callId, "accountId": accountId, "source": source]) }
}

extension CallCommandEvents.Park {
    public func validate() throws(SchemaViolation) { try SchemaViolation.bounded(["callId": callId, "accountId": accountId, "source": source]) }
}

extension CallCommandEvents.Transfer {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.bounded(["callId": callId, "accountId": accountId, "target": target, "targetAccountId": targetAccountId,
                                     "source": source])
    }
}

extension CallCommandEvents.DtmfRejected {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.bounded(["callId": callId, "accountId": accountId, "keys": keys])
    }
}

extension CallCommandEvents.AgentLegOpen {
    public func validate() throws(SchemaViolation) {
        try SchemaViolation.bounded(["accountId": accountId, "legId": legId, "dialNumber": dialNumber,
                                     "presentedCallerId": presentedCallerId, "callCenterId": callCenterId])
    }
}

extension CallCommandEvents.AgentLegClose {
    public func validate() throws(SchemaViolation) { try SchemaViolation.bounded(["accountId": accountId, "legId": legId]) }
}
