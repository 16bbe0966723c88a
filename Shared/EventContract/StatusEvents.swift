import CallCenterDomain

/// Types of `cc.agent.status`, `cc.usage` and `cc.deadletter`.
public enum StatusEvents {
    public struct StatusChanged: EventPayload {
        public static let eventType = "cc.agent.status-changed.v1"
        public var accountId: String
        public var status: AgentStatus
        public var device: DeviceKind
        public var phoneType: PhoneType?
        public var callId: String?
        public var holdCount: Int
        public var reason: String?
        public var at: EventTime
        /// F12: whether the agent's persistent leg is connected (absent for agents without one).
        public var legConnected: Bool?
        public init(accountId: String, status: AgentStatus, device: DeviceKind, phoneType: PhoneType?, callId: String?,
                    holdCount: Int, reason: String?, at: EventTime, legConnected: Bool? = nil) {
            self.accountId = accountId; self.status = status; self.device = device; self.phoneType = phoneType
            self.callId = callId; self.holdCount = holdCount; self.reason = reason; self.at = at
            self.legConnected = legConnected
        }
        public func validate() throws(SchemaViolation) {
            try SchemaViolation.nonEmpty(accountId, "accountId")
            try SchemaViolation.require((0...1_000_000).contains(holdCount), "holdCount", "0 to 1000000")
        }
    }

    public struct ChannelsChanged: EventPayload {
        public static let eventType = "cc.usage.channels-changed.v1"
        public var inUse: Int
        public var limit: Int
        public var at: EventTime
        /// The call whose legs changed; absent when the change is an agent leg's (F12).
        public var callId: String?
        /// F12: the agent leg whose channel changed.
        public var legId: String?
        public var delta: Int
        public init(_ c: ChannelChange, at: Timestamp) {
            inUse = c.inUse; limit = c.limit; self.at = EventTime(at); callId = c.callID; legId = c.legID; delta = c.delta
        }
        /// The contract's ranges: a limit is at most 100000 (`cc.tenant.configured.v1`), a call holds 1 or 2 channels.
        public func validate() throws(SchemaViolation) {
            try SchemaViolation.require((0...100_000).contains(limit), "limit", "0 to 100000")
            try SchemaViolation.require((0...200_000).contains(inUse), "inUse", "0 to 200000")
            try SchemaViolation.require((-2...2).contains(delta), "delta", "-2 to 2")
            try SchemaViolation.require((callId == nil) != (legId == nil), "callId", "exactly one of callId and legId")
            try SchemaViolation.require((callId ?? legId ?? "").utf8.count <= 256, callId == nil ? "legId" : "callId",
                                        "at most 256 bytes")
        }
    }

    public struct DeadLetter: EventPayload {
        public static let eventType = "cc.deadletter.v1"
        public struct Failure: Codable, Sendable, Hashable {
            public var code: String
            public var message: String
            public init(code: String, message: String) { self.code = code; self.message = message }
        }
        public var originalTopic: String
        public var partition: Int
        public var offset: Int64
        public var key: String?
        public var error: Failure
        public var payloadBase64: String
        public var service: String
        public var at: EventTime
        public init(originalTopic: String, partition: Int, offset: Int64, key: String?, error: Failure,
                    payloadBase64: String, service: String, at: EventTime) {
            self.originalTopic = originalTopic; self.partition = partition; self.offset = offset; self.key = key
            self.error = error; self.payloadBase64 = payloadBase64; self.service = service; self.at = at
        }
    }
}
