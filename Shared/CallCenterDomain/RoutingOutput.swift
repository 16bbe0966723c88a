/// What the routing rules decided, for the service to publish.
public enum RoutingOutput: Hashable, Codable, Sendable {
    /// Ring this agent (A1, A4).
    case offeredToAgent(callID: CallID, callCenterID: CallCenterID, plan: DeliveryPlan, attempt: Int)
    /// No agent (or no channel for a forwarded leg): the call waits (A1, F3).
    case callQueued(callID: CallID, callCenterID: CallCenterID, position: Int, reason: QueueReason)
    /// Refused at the contract limit (F3) or for an unknown call center.
    case callRejected(callID: CallID, reason: CallRejectionReason)
    /// Stop ringing an agent: ring timeout, or an answer not confirmed in time (A2, F5).
    case offerCancelled(callID: CallID, accountID: AccountID, reason: NoAnswerReason)
    /// An agent rang out (A2); `consecutive` counts no-answers on an external number in a row.
    case agentNoAnswer(callID: CallID, accountID: AccountID, reason: NoAnswerReason, consecutive: Int)
    /// The agent was set away after too many no-answers on an external number (A5).
    case agentSetAway(accountID: AccountID, callCenterID: CallCenterID, reason: AwayReason, consecutiveNoAnswers: Int)
    /// Channels in use changed (F3).
    case channelsChanged(ChannelChange)
    /// An in-call command from keys on a personal phone (F6–F9).
    case callCommand(callID: CallID, accountID: AccountID, action: DTMFAction)
    /// Dial the agent's persistent leg (F12).
    case agentLegOpen(accountID: AccountID, legID: LegID, dialNumber: PhoneNumber, callCenterID: CallCenterID,
                      presentedCallerID: String)
    /// Hang up the agent's persistent leg (F12).
    case agentLegClose(accountID: AccountID, legID: LegID, reason: AgentLegCloseReason)
}

public enum QueueReason: String, Codable, Sendable {
    case noAgentAvailable
    case noChannelForForwardLeg
    case requeuedAfterNoAnswer
}

public enum CallRejectionReason: String, Codable, Sendable {
    case concurrentCallLimitReached
    case unknownCallCenter
    case duplicateCall
}

public enum NoAnswerReason: String, Codable, Sendable {
    case timeout
    case rejected
    case unreachable
    case answerNotConfirmed
    /// F13: the agent pressed the decline key (not a no-answer for A5).
    case declined
    /// F14: a machine answered the forwarded leg (a no-answer for A5).
    case voicemail
}

public enum AwayReason: String, Codable, Sendable {
    case maxNoAnswer
}
