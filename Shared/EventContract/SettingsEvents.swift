import CallCenterDomain

/// Types of `cc.settings.commands` and `cc.settings.events`.
public enum SettingsEvents {
    public struct ChangeRequested: EventPayload {
        public static let eventType = "cc.settings.sign-in-device.change-requested.v1"
        public var requestId: String
        public var actorAccountId: String
        public var screen: SettingsScreen
        public var callCenterId: String?
        public var targetAccountId: String
        public var device: ContractDevice

        public init(requestId: String, actorAccountId: String, screen: SettingsScreen, callCenterId: String? = nil,
                    targetAccountId: String, device: ContractDevice) {
            self.requestId = requestId
            self.actorAccountId = actorAccountId
            self.screen = screen
            self.callCenterId = callCenterId
            self.targetAccountId = targetAccountId
            self.device = device
        }

        public func validate() throws(SchemaViolation) {
            try SchemaViolation.nonEmpty(requestId, "requestId")
            try SchemaViolation.nonEmpty(actorAccountId, "actorAccountId")
            try SchemaViolation.nonEmpty(targetAccountId, "targetAccountId")
            try SchemaViolation.require((device.number?.count ?? 0) <= 40, "device.number", "at most 40 characters")
        }

        public var request: DeviceChangeRequest {
            DeviceChangeRequest(requestID: requestId, actorAccountID: actorAccountId, screen: screen, callCenterID: callCenterId,
                                targetAccountID: targetAccountId, device: device.request)
        }
    }

    public struct Warning: Codable, Sendable, Hashable {
        public var code: String
        public var message: String
        public var callCenterId: String?
        public var noAnswerTimeoutSeconds: Int?
        public var wrapUpSeconds: Int?
        /// F16: the call centers closed to personal phones (`personalPhonesNotAllowed`).
        public var callCenterIds: [String]?

        public init(_ w: DeviceWarning) {
            code = w.code.rawValue
            message = w.message
            callCenterId = w.callCenterID
            noAnswerTimeoutSeconds = w.noAnswerTimeoutSeconds
            wrapUpSeconds = w.wrapUpSeconds
            callCenterIds = w.callCenterIDs
        }
    }

    public struct Changed: EventPayload {
        public static let eventType = "cc.settings.sign-in-device.changed.v1"
        public var requestId: String
        public var accountId: String
        public var previous: ContractDevice
        public var current: ContractDevice
        public var actorAccountId: String
        public var screen: SettingsScreen
        public var callCenterId: String?
        public var warnings: [Warning]
        public var disabledFeatures: [String]
        public var at: EventTime
        /// The account's device revision (1, 2, ...; optional): consumers ignore a change whose revision is not
        /// above the one they hold, so a repeated answer (S3) or an old event read again never restores an older device.
        public var revision: Int?

        public init(_ c: DeviceChange) {
            requestId = c.requestID
            accountId = c.accountID
            previous = ContractDevice(c.previous)
            current = ContractDevice(c.current, persistentConnection: c.persistentConnection == true)
            actorAccountId = c.actorAccountID
            screen = c.screen
            callCenterId = c.callCenterID
            warnings = c.warnings.map(Warning.init)
            disabledFeatures = c.disabledFeatures.map(\.rawValue)
            at = EventTime(c.at)
            revision = c.revision
        }

        public func validate() throws(SchemaViolation) {
            try SchemaViolation.nonEmpty(accountId, "accountId")
            try SchemaViolation.require(revision.map { $0 >= 1 } ?? true, "revision", "must be 1 or more")
        }
    }

    public struct ChangeRejected: EventPayload {
        public static let eventType = "cc.settings.sign-in-device.change-rejected.v1"
        public var requestId: String
        public var targetAccountId: String?
        public var reason: DeviceChangeRejection.Reason
        public var message: String

        public init(requestId: String, targetAccountId: String?, rejection: DeviceChangeRejection) {
            self.requestId = requestId
            self.targetAccountId = targetAccountId
            reason = rejection.reason
            message = rejection.message
        }
    }
}
