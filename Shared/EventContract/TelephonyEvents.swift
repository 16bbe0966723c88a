import CallCenterDomain

/// Types of `cc.telephony.events`, written by the telephony layer.
public enum TelephonyEvents {
    public struct PresenceChanged: EventPayload {
        public static let eventType = "cc.agent.presence-changed.v1"
        public var accountId: String
        public var presence: Presence
        public var at: EventTime
        public init(accountId: String, presence: Presence, at: EventTime) {
            self.accountId = accountId; self.presence = presence; self.at = at
        }
        public func validate() throws(SchemaViolation) { try SchemaViolation.nonEmpty(accountId, "accountId") }
    }

    public struct CallOffered: EventPayload {
        public static let eventType = "cc.call.offered.v1"
        public var callId: String
        public var callCenterId: String
        public var callerNumber: String
        public var dialedNumber: String
        public var at: EventTime
        public init(callId: String, callCenterId: String, callerNumber: String, dialedNumber: String, at: EventTime) {
            self.callId = callId; self.callCenterId = callCenterId; self.callerNumber = callerNumber
            self.dialedNumber = dialedNumber; self.at = at
        }
        public func validate() throws(SchemaViolation) {
            try SchemaViolation.nonEmpty(callId, "callId")
            try SchemaViolation.nonEmpty(callCenterId, "callCenterId")
            try SchemaViolation.require(callerNumber.count <= 32 && dialedNumber.count <= 32, "callerNumber", "at most 32 characters")
        }
    }

    public struct AgentAnswered: AgentCallEvent {
        public static let eventType = "cc.call.agent-answered.v1"
        public var callId: String
        public var accountId: String
        public var at: EventTime
        public init(callId: String, accountId: String, at: EventTime) { self.callId = callId; self.accountId = accountId; self.at = at }
    }

    /// F14: the telephony layer's answering-machine detection found a machine on the forwarded leg.
    public struct AgentVoicemailDetected: AgentCallEvent {
        public static let eventType = "cc.call.agent-voicemail-detected.v1"
        public var callId: String
        public var accountId: String
        public var at: EventTime
        public init(callId: String, accountId: String, at: EventTime) { self.callId = callId; self.accountId = accountId; self.at = at }
    }

    /// F12: the agent answered its persistent leg.
    public struct AgentLegConnected: AgentLegEvent {
        public static let eventType = "cc.agent-leg.connected.v1"
        public var accountId: String
        public var legId: String
        public var at: EventTime
        public init(accountId: String, legId: String, at: EventTime) { self.accountId = accountId; self.legId = legId; self.at = at }
    }

    /// F12: the persistent leg could not be connected.
    public struct AgentLegFailed: AgentLegEvent {
        public static let eventType = "cc.agent-leg.failed.v1"
        public var accountId: String
        public var legId: String
        public var reason: AgentLegFailureReason
        public var at: EventTime
        public init(accountId: String, legId: String, reason: AgentLegFailureReason, at: EventTime) {
            self.accountId = accountId; self.legId = legId; self.reason = reason; self.at = at
        }
    }

    /// F12: the persistent leg ended (the agent hung up, the network dropped it, or routing closed it).
    public struct AgentLegDisconnected: AgentLegEvent {
        public static let eventType = "cc.agent-leg.disconnected.v1"
        public var accountId: String
        public var legId: String
        public var at: EventTime
        public init(accountId: String, legId: String, at: EventTime) { self.accountId = accountId; self.legId = legId; self.at = at }
    }

    public struct AgentNoAnswer: EventPayload {
        public static let eventType = "cc.call.agent-no-answer.v1"
        public enum Reason: String, Codable, Sendable { case timeout, rejected, unreachable }
        public var callId: String
        public var accountId: String
        public var reason: Reason
        public var at: EventTime
        public init(callId: String, accountId: String, reason: Reason, at: EventTime) {
            self.callId = callId; self.accountId = accountId; self.reason = reason; self.at = at
        }
    }

    public struct Dtmf: EventPayload {
        public static let eventType = "cc.call.dtmf.v1"
        public var callId: String
        public var accountId: String
        public var key: String
        public var at: EventTime
        public init(callId: String, accountId: String, key: String, at: EventTime) {
            self.callId = callId; self.accountId = accountId; self.key = key; self.at = at
        }
        public func validate() throws(SchemaViolation) {
            try SchemaViolation.require(key.count == 1 && "0123456789*#".contains(key), "key", "one of 0-9, * or #")
        }
    }

    public struct HoldChanged: EventPayload {
        public static let eventType = "cc.call.hold-changed.v1"
        public var callId: String
        public var accountId: String
        public var held: Bool
        public var at: EventTime
        public init(callId: String, accountId: String, held: Bool, at: EventTime) {
            self.callId = callId; self.accountId = accountId; self.held = held; self.at = at
        }
    }

    public struct CallEnded: EventPayload {
        public static let eventType = "cc.call.ended.v1"
        public var callId: String
        public var at: EventTime
        public init(callId: String, at: EventTime) { self.callId = callId; self.at = at }
        public func validate() throws(SchemaViolation) { try SchemaViolation.nonEmpty(callId, "callId") }
    }

    public struct MonitorRequested: EventPayload {
        public static let eventType = "cc.call.monitor-requested.v1"
        public var requestId: String
        public var supervisorAccountId: String
        public var targetAccountId: String
        public var mode: MonitorPolicy.Mode
        public var at: EventTime
        public init(requestId: String, supervisorAccountId: String, targetAccountId: String, mode: MonitorPolicy.Mode, at: EventTime) {
            self.requestId = requestId; self.supervisorAccountId = supervisorAccountId; self.targetAccountId = targetAccountId
            self.mode = mode; self.at = at
        }
    }

    public struct OutboundRequested: EventPayload {
        public static let eventType = "cc.call.outbound-requested.v1"
        public var requestId: String
        public var accountId: String
        public var to: String
        public var via: OutboundPolicy.Via
        public var at: EventTime
        public init(requestId: String, accountId: String, to: String, via: OutboundPolicy.Via, at: EventTime) {
            self.requestId = requestId; self.accountId = accountId; self.to = to; self.via = via; self.at = at
        }
        public func validate() throws(SchemaViolation) { try SchemaViolation.require(to.count <= 40, "to", "at most 40 characters") }
    }

    public struct SeatViewDialed: EventPayload {
        public static let eventType = "cc.call.seat-view-dialed.v1"
        public var callId: String
        public var fromAccountId: String
        public var toAccountId: String
        public var at: EventTime
        public init(callId: String, fromAccountId: String, toAccountId: String, at: EventTime) {
            self.callId = callId; self.fromAccountId = fromAccountId; self.toAccountId = toAccountId; self.at = at
        }
    }

    public struct ClockTick: EventPayload {
        public static let eventType = "cc.clock.tick.v1"
        public var at: EventTime
        public init(at: EventTime) { self.at = at }
    }
}
