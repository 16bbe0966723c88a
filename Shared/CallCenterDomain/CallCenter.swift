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

    public init(id: CallCenterID, tenantID: TenantID, name: String, externalNumber: String,
                noAnswerTimeoutSeconds: Int, wrapUpSeconds: Int, memberAccountIDs: [AccountID],
                answerConfirmation: AnswerConfirmation? = nil, maxNoAnswer: Int = 3) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.externalNumber = externalNumber
        self.noAnswerTimeoutSeconds = noAnswerTimeoutSeconds
        self.wrapUpSeconds = wrapUpSeconds
        self.memberAccountIDs = memberAccountIDs
        self.answerConfirmation = answerConfirmation
        self.maxNoAnswer = maxNoAnswer
    }

    /// The timeouts recommended when members take calls on personal phones (F4).
    public static let recommendedMinimumSeconds = 30
}

/// Answer confirmation (F5): the agent presses `key` within `withinSeconds` of
/// answering, or the call counts as not answered (stops voicemail taking calls).
public struct AnswerConfirmation: Hashable, Codable, Sendable {
    public var enabled: Bool
    public var key: String
    public var withinSeconds: Int

    public init(enabled: Bool, key: String, withinSeconds: Int) {
        self.enabled = enabled
        self.key = key
        self.withinSeconds = withinSeconds
    }
}
