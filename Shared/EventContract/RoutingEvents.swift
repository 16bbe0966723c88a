import CallCenterDomain

/// Types of `cc.routing.decisions`, written by routing-service.
public enum RoutingEvents {
    public struct Features: Codable, Sendable, Hashable {
        public var crmPopup: Bool
        public var openCti: Bool
        public var holdCounted: Bool
        public var holdVisible: Bool
        public init(_ f: CallFeatures) {
            crmPopup = f.crmPopup; openCti = f.openCti; holdCounted = f.holdCounted; holdVisible = f.holdVisible
        }
        public var callFeatures: CallFeatures {
            CallFeatures(crmPopup: crmPopup, openCti: openCti, holdCounted: holdCounted, holdVisible: holdVisible)
        }
    }

    public struct OfferedToAgent: EventPayload {
        public static let eventType = "cc.routing.offered-to-agent.v1"
        public var callId: String
        public var callCenterId: String
        public var accountId: String
        public var delivery: DeliveryKind
        /// F12: the agent leg a `persistentLeg` delivery is bridged onto.
        public var legId: String?
        /// F15: what is said to the agent before bridging (external deliveries only).
        public var announcement: DeliveryAnnouncement?
        public var dialNumber: String?
        public var phoneType: PhoneType?
        public var presentedCallerId: String
        public var channels: Int
        public var ringTimeoutSeconds: Int
        public var features: Features
        public var attempt: Int
        public var at: EventTime

        public init(callId: String, callCenterId: String, plan: DeliveryPlan, attempt: Int, at: Timestamp) {
            self.callId = callId
            self.callCenterId = callCenterId
            accountId = plan.accountID
            delivery = plan.delivery
            legId = plan.legID
            announcement = plan.announcement
            dialNumber = plan.dialNumber?.e164
            phoneType = plan.phoneType
            presentedCallerId = plan.presentedCallerID
            channels = plan.channels
            ringTimeoutSeconds = plan.ringTimeoutSeconds
            features = Features(plan.features)
            self.attempt = attempt
            self.at = EventTime(at)
        }
    }

    public struct CallQueued: EventPayload {
        public static let eventType = "cc.routing.call-queued.v1"
        public var callId: String
        public var callCenterId: String
        public var position: Int
        public var reason: QueueReason
        public var at: EventTime
        public init(callId: String, callCenterId: String, position: Int, reason: QueueReason, at: Timestamp) {
            self.callId = callId; self.callCenterId = callCenterId; self.position = position; self.reason = reason
            self.at = EventTime(at)
        }
    }

    public struct CallRejected: EventPayload {
        public static let eventType = "cc.routing.call-rejected.v1"
        public var callId: String
        public var reason: CallRejectionReason
        public var at: EventTime
        public init(callId: String, reason: CallRejectionReason, at: Timestamp) {
            self.callId = callId; self.reason = reason; self.at = EventTime(at)
        }
    }

    /// Added to the contract: the telephony layer stops ringing (ring timeout, answer not confirmed).
    public struct OfferCancelled: EventPayload {
        public static let eventType = "cc.routing.offer-cancelled.v1"
        public var callId: String
        public var accountId: String
        public var reason: NoAnswerReason
        public var at: EventTime
        public init(callId: String, accountId: String, reason: NoAnswerReason, at: Timestamp) {
            self.callId = callId; self.accountId = accountId; self.reason = reason; self.at = EventTime(at)
        }
    }

    /// Added to the contract: an agent rang out; after `maxNoAnswer` in a row on a personal phone it is set away (A5).
    public struct AgentNoAnswerRecorded: EventPayload {
        public static let eventType = "cc.routing.agent-no-answer.v1"
        public var callId: String
        public var accountId: String
        public var reason: NoAnswerReason
        public var consecutiveNoAnswers: Int
        public var setAway: Bool
        public var callCenterId: String?
        public var at: EventTime
        public init(callId: String, accountId: String, reason: NoAnswerReason, consecutiveNoAnswers: Int, setAway: Bool,
                    callCenterId: String?, at: Timestamp) {
            self.callId = callId; self.accountId = accountId; self.reason = reason
            self.consecutiveNoAnswers = consecutiveNoAnswers; self.setAway = setAway; self.callCenterId = callCenterId
            self.at = EventTime(at)
        }
    }

    public struct MonitorDecided: EventPayload {
        public static let eventType = "cc.routing.monitor-decided.v1"
        public var requestId: String
        public var allowed: Bool
        public var reason: String
        public var supervisorAccountId: String
        public var targetAccountId: String
        public var mode: MonitorPolicy.Mode
        public var callId: String?
        public init(requestId: String, allowed: Bool, reason: String, supervisorAccountId: String, targetAccountId: String,
                    mode: MonitorPolicy.Mode, callId: String?) {
            self.requestId = requestId; self.allowed = allowed; self.reason = reason
            self.supervisorAccountId = supervisorAccountId; self.targetAccountId = targetAccountId; self.mode = mode
            self.callId = callId
        }
    }

    public struct OutboundDecided: EventPayload {
        public static let eventType = "cc.routing.outbound-decided.v1"
        public var requestId: String
        public var allowed: Bool
        public var reason: String
        public var presentedCallerId: String?
        public var channels: Int
        public var accountId: String
        public var to: String?
        public var via: OutboundPolicy.Via
        public var device: DeviceKind
        public init(requestId: String, allowed: Bool, reason: String, presentedCallerId: String?, channels: Int,
                    accountId: String, to: String?, via: OutboundPolicy.Via, device: DeviceKind) {
            self.requestId = requestId; self.allowed = allowed; self.reason = reason
            self.presentedCallerId = presentedCallerId; self.channels = channels; self.accountId = accountId
            self.to = to; self.via = via; self.device = device
        }
    }

    public struct SeatViewCallLabelled: EventPayload {
        public static let eventType = "cc.routing.seat-view-call-labelled.v1"
        public var callId: String
        public var fromAccountId: String
        public var toAccountId: String
        public var fromLabel: SeatViewCallLabel
        public var toLabel: SeatViewCallLabel
        public init(callId: String, fromAccountId: String, toAccountId: String, fromLabel: SeatViewCallLabel,
                    toLabel: SeatViewCallLabel) {
            self.callId = callId; self.fromAccountId = fromAccountId; self.toAccountId = toAccountId
            self.fromLabel = fromLabel; self.toLabel = toLabel
        }
    }
}
