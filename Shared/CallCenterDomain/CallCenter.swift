/// A call center (コールセンター業務): a queue with member agents and ACD settings.
public struct CallCenter: Hashable, Codable, Sendable {
    public var id: CallCenterID
    public var tenantID: TenantID
    public var name: String
    /// The number linked to the call center; shown to personal phones as caller id (F1).
    public var externalNumber: String
    public var noAnswerTimeoutSeconds: Int
    public var wrapUpSeconds: Int
    public var memberAccountIDs: [AccountID]
    public var answerConfirmation: AnswerConfirmation?
    /// Consecutive no-answers on an external number before the agent is set away (A5).
    public var maxNoAnswer: Int
    /// F16: false for queues closed to personal phones (card payments, health data); nil means true.
    public var allowPersonalPhones: Bool?
    /// F12: settings for members with a persistent connection (nil: the defaults).
    public var persistentConnection: PersistentConnectionSettings?
    /// F15: what is said to an agent on a personal phone before a call is bridged (nil: nothing).
    public var agentAnnouncement: AgentAnnouncement?

    public init(id: CallCenterID, tenantID: TenantID, name: String, externalNumber: String,
                noAnswerTimeoutSeconds: Int, wrapUpSeconds: Int, memberAccountIDs: [AccountID],
                answerConfirmation: AnswerConfirmation? = nil, maxNoAnswer: Int = 3, allowPersonalPhones: Bool? = nil,
                persistentConnection: PersistentConnectionSettings? = nil, agentAnnouncement: AgentAnnouncement? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.externalNumber = externalNumber
        self.noAnswerTimeoutSeconds = noAnswerTimeoutSeconds
        self.wrapUpSeconds = wrapUpSeconds
        self.memberAccountIDs = memberAccountIDs
        self.answerConfirmation = answerConfirmation
        self.maxNoAnswer = maxNoAnswer
        self.allowPersonalPhones = allowPersonalPhones
        self.persistentConnection = persistentConnection
        self.agentAnnouncement = agentAnnouncement
    }

    /// F12: minutes without a customer call after which an agent leg is closed.
    public var legIdleMinutes: Int { persistentConnection?.idleMinutes ?? PersistentConnectionSettings.defaultIdleMinutes }

    /// F16: whether this queue's calls may be delivered to an external number.
    public var personalPhonesAllowed: Bool { allowPersonalPhones ?? true }

    /// The timeouts recommended when members take calls on personal phones (F4).
    public static let recommendedMinimumSeconds = 30
}

/// Answer confirmation (F5): the agent presses `key` within `withinSeconds` of
/// answering, or the call counts as not answered (stops voicemail taking calls).
public struct AnswerConfirmation: Hashable, Codable, Sendable {
    public var enabled: Bool
    public var key: String
    public var withinSeconds: Int
    /// F13: the key that declines the call instead (offered to the next agent at once; not a no-answer).
    public var declineKey: String?

    public init(enabled: Bool, key: String, withinSeconds: Int, declineKey: String? = nil) {
        self.enabled = enabled
        self.key = key
        self.withinSeconds = withinSeconds
        self.declineKey = declineKey
    }
}
