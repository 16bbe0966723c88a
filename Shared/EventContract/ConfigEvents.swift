import CallCenterDomain

/// Types of `cc.config`, written by other systems.
public enum ConfigEvents {
    /// The call rates on the wire are the domain's `ChargeRates` (same fields, same JSON keys).
    public typealias Rates = ChargeRates

    public struct TenantConfigured: EventPayload {
        public static let eventType = "cc.tenant.configured.v1"
        public var tenantId: String
        public var concurrentCallLimit: Int
        public var platformVersion: String
        public var callbackDialingOption: Bool
        public var allowInternationalForwarding: Bool
        public var rates: Rates

        public func validate() throws(SchemaViolation) {
            try SchemaViolation.nonEmpty(tenantId, "tenantId")
            try SchemaViolation.require((0...100_000).contains(concurrentCallLimit), "concurrentCallLimit", "0 to 100000")
            try SchemaViolation.require(PlatformVersion(platformVersion) != nil, "platformVersion", "like 3.2.0")
            for (v, f) in [(rates.mobileYenPerMinute, "mobile"), (rates.landlineYenPerMinute, "landline"),
                           (rates.ipPhoneYenPerMinute, "ipPhone")] {
                try SchemaViolation.require(v >= 0 && v < 100_000 && v.isFinite, "rates.\(f)YenPerMinute", "0 or more")
            }
            try SchemaViolation.require((1...3600).contains(rates.billingIncrementSeconds), "rates.billingIncrementSeconds", "1 to 3600")
        }

        public var tenant: Tenant {
            Tenant(id: tenantId, concurrentCallLimit: concurrentCallLimit,
                   platformVersion: PlatformVersion(platformVersion) ?? PlatformVersion("0")!,
                   callbackDialingOption: callbackDialingOption, allowInternationalForwarding: allowInternationalForwarding,
                   rates: rates)
        }

        public init(_ t: Tenant) {
            tenantId = t.id
            concurrentCallLimit = t.concurrentCallLimit
            platformVersion = t.platformVersion.description
            callbackDialingOption = t.callbackDialingOption
            allowInternationalForwarding = t.allowInternationalForwarding
            rates = t.rates
        }
    }

    public struct CallCenterConfigured: EventPayload {
        public static let eventType = "cc.callcenter.configured.v1"
        /// Answer confirmation on the wire is the domain's `AnswerConfirmation` (same fields, same JSON keys).
        public typealias Confirmation = AnswerConfirmation

        public var callCenterId: String
        public var name: String
        public var externalNumber: String
        public var noAnswerTimeoutSeconds: Int
        public var wrapUpSeconds: Int
        public var memberAccountIds: [String]
        public var answerConfirmation: Confirmation?
        public var maxNoAnswer: Int?
        /// F16 (optional, default true).
        public var allowPersonalPhones: Bool?
        /// F12 (optional): `{idleMinutes}`.
        public var persistentConnection: PersistentConnectionSettings?
        /// F15 (optional): `{enabled, includeCallerNumber}`.
        public var agentAnnouncement: AgentAnnouncement?

        public func validate() throws(SchemaViolation) {
            try SchemaViolation.nonEmpty(callCenterId, "callCenterId")
            if let p = persistentConnection {
                try SchemaViolation.require(PersistentConnectionSettings.idleMinutesRange.contains(p.idleMinutes),
                                            "persistentConnection.idleMinutes", "1 to 1440")
            }
            try SchemaViolation.require((1...600).contains(noAnswerTimeoutSeconds), "noAnswerTimeoutSeconds", "1 to 600")
            try SchemaViolation.require((0...3600).contains(wrapUpSeconds), "wrapUpSeconds", "0 to 3600")
            try SchemaViolation.require(memberAccountIds.count <= 10_000, "memberAccountIds", "at most 10000")
            try SchemaViolation.require((try? PhoneNumber.parse(externalNumber)) != nil, "externalNumber", "a phone number")
            if let c = answerConfirmation {
                try SchemaViolation.require(c.key.count == 1 && "0123456789*#".contains(c.key), "answerConfirmation.key", "one of 0-9*#")
                try SchemaViolation.require((1...60).contains(c.withinSeconds), "answerConfirmation.withinSeconds", "1 to 60")
                if let d = c.declineKey {
                    try SchemaViolation.require(d.count == 1 && "0123456789*#".contains(d) && d != c.key,
                                                "answerConfirmation.declineKey", "one of 0-9*#, not the confirmation key")
                }
            }
            if let m = maxNoAnswer { try SchemaViolation.require((1...100).contains(m), "maxNoAnswer", "1 to 100") }
        }

        public func callCenter(tenantID: TenantID) -> CallCenter {
            CallCenter(id: callCenterId, tenantID: tenantID, name: name,
                       externalNumber: (try? PhoneNumber.parse(externalNumber).e164) ?? externalNumber,
                       noAnswerTimeoutSeconds: noAnswerTimeoutSeconds, wrapUpSeconds: wrapUpSeconds,
                       memberAccountIDs: memberAccountIds,
                       answerConfirmation: answerConfirmation, maxNoAnswer: maxNoAnswer ?? 3,
                       allowPersonalPhones: allowPersonalPhones, persistentConnection: persistentConnection,
                       agentAnnouncement: agentAnnouncement)
        }

        public init(_ c: CallCenter) {
            callCenterId = c.id
            name = c.name
            externalNumber = c.externalNumber
            noAnswerTimeoutSeconds = c.noAnswerTimeoutSeconds
            wrapUpSeconds = c.wrapUpSeconds
            memberAccountIds = c.memberAccountIDs
            answerConfirmation = c.answerConfirmation
            maxNoAnswer = c.maxNoAnswer
            allowPersonalPhones = c.allowPersonalPhones
            persistentConnection = c.persistentConnection
            agentAnnouncement = c.agentAnnouncement
        }
    }

    public struct AccountConfigured: EventPayload {
        public static let eventType = "cc.account.configured.v1"
        public var accountId: String
        public var name: String
        public var role: Role
        public var `extension`: String
        public var editableCallCenterIds: [String]

        public func validate() throws(SchemaViolation) {
            try SchemaViolation.nonEmpty(accountId, "accountId")
            try SchemaViolation.require(`extension`.count <= 20 && `extension`.allSatisfy { $0.isASCII && $0.isNumber },
                                        "extension", "up to 20 digits")
            try SchemaViolation.require(`extension`.isEmpty || ForwardingPolicy.isAllowedExtension(`extension`), "extension",
                                        "an internal number: not starting with 0 and not an emergency or short service number (1xx)")
        }

        public func account(tenantID: TenantID) -> Account {
            Account(id: accountId, tenantID: tenantID, name: name, role: role, extension: `extension`,
                    editableCallCenterIDs: Set(editableCallCenterIds))
        }

        public init(_ a: Account) {
            accountId = a.id
            name = a.name
            role = a.role
            `extension` = a.extension
            editableCallCenterIds = a.editableCallCenterIDs.sorted()
        }
    }
}
