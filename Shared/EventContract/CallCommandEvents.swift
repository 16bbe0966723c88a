import CallCenterDomain

/// Types of `cc.call.commands`, written by routing-service for the telephony layer.
public enum CallCommandEvents {
    /// `cc.call.hold.v1`, `cc.call.unhold.v1` and `cc.call.park.v1` share this shape.
    public struct Hold: EventPayload {
        public static let eventType = "cc.call.hold.v1"
        public var callId: String
        public var accountId: String
        public var source: String
        public init(callId: String, accountId: String, source: String = "dtmf") {
            self.callId = callId; self.accountId = accountId; self.source = source
        }
    }

    public struct Unhold: EventPayload {
        public static let eventType = "cc.call.unhold.v1"
        public var callId: String
        public var accountId: String
        public var source: String
        public init(callId: String, accountId: String, source: String = "dtmf") {
            self.callId = callId; self.accountId = accountId; self.source = source
        }
    }

    public struct Park: EventPayload {
        public static let eventType = "cc.call.park.v1"
        public var callId: String
        public var accountId: String
        public var source: String
        public init(callId: String, accountId: String, source: String = "dtmf") {
            self.callId = callId; self.accountId = accountId; self.source = source
        }
    }

    public struct Transfer: EventPayload {
        public static let eventType = "cc.call.transfer.v1"
        public var callId: String
        public var accountId: String
        public var mode: TransferMode
        public var target: String
        public var targetAccountId: String?
        public var source: String
        public init(callId: String, accountId: String, mode: TransferMode, target: TransferTarget, source: String = "dtmf") {
            self.callId = callId; self.accountId = accountId; self.mode = mode; self.target = target.dialString
            if case .extension(_, let a) = target { targetAccountId = a } else { targetAccountId = nil }
            self.source = source
        }
    }

    /// F12: dial the agent's persistent leg (it holds one channel until it ends).
    public struct AgentLegOpen: EventPayload {
        public static let eventType = "cc.call.agent-leg-open.v1"
        public var accountId: String
        public var legId: String
        public var dialNumber: String
        public var presentedCallerId: String
        /// The call center whose number the phone is shown (F1); its calls' reports carry the leg's charges (P3).
        public var callCenterId: String?
        public init(accountId: String, legId: String, dialNumber: String, presentedCallerId: String, callCenterId: String? = nil) {
            self.accountId = accountId; self.legId = legId; self.dialNumber = dialNumber; self.presentedCallerId = presentedCallerId
            self.callCenterId = callCenterId
        }
    }

    /// F12: hang up the agent's persistent leg.
    public struct AgentLegClose: EventPayload {
        public static let eventType = "cc.call.agent-leg-close.v1"
        public var accountId: String
        public var legId: String
        public var reason: AgentLegCloseReason
        public init(accountId: String, legId: String, reason: AgentLegCloseReason) {
            self.accountId = accountId; self.legId = legId; self.reason = reason
        }
    }

    public struct DtmfRejected: EventPayload {
        public static let eventType = "cc.call.dtmf-rejected.v1"
        public var callId: String
        public var accountId: String
        public var keys: String
        public var reason: DTMFRejection
        public init(callId: String, accountId: String, keys: String, reason: DTMFRejection) {
            self.callId = callId; self.accountId = accountId; self.keys = keys; self.reason = reason
        }
    }
}
