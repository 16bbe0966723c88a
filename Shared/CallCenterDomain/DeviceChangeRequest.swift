/// A request from a screen to change an account's sign-in device
/// (`cc.settings.sign-in-device.change-requested.v1`).
public struct DeviceChangeRequest: Hashable, Codable, Sendable {
    public var requestID: RequestID
    public var actorAccountID: AccountID
    public var screen: SettingsScreen
    public var callCenterID: CallCenterID?
    public var targetAccountID: AccountID
    public var device: DeviceRequest

    public init(requestID: RequestID, actorAccountID: AccountID, screen: SettingsScreen, callCenterID: CallCenterID? = nil,
                targetAccountID: AccountID, device: DeviceRequest) {
        self.requestID = requestID
        self.actorAccountID = actorAccountID
        self.screen = screen
        self.callCenterID = callCenterID
        self.targetAccountID = targetAccountID
        self.device = device
    }
}

/// A device change that was applied (`cc.settings.sign-in-device.changed.v1`).
public struct DeviceChange: Hashable, Codable, Sendable {
    public var requestID: RequestID
    public var accountID: AccountID
    public var previous: SignInDevice
    public var current: SignInDevice
    public var actorAccountID: AccountID
    public var screen: SettingsScreen
    public var callCenterID: CallCenterID?
    public var warnings: [DeviceWarning]
    public var disabledFeatures: [DisabledFeature]
    public var at: Timestamp
    /// The account's device revision this change made (1, 2, ...): downstream services apply a change only when it
    /// is newer than the one they hold, so a repeated answer (S3) never brings back an older device.
    /// Nil in changes stored before revisions existed.
    public var revision: Int?
    /// F12: the current device keeps a persistent connection (nil: no).
    public var persistentConnection: Bool?

    public init(requestID: RequestID, accountID: AccountID, previous: SignInDevice, current: SignInDevice,
                actorAccountID: AccountID, screen: SettingsScreen, callCenterID: CallCenterID?, warnings: [DeviceWarning],
                disabledFeatures: [DisabledFeature], at: Timestamp, revision: Int? = nil, persistentConnection: Bool? = nil) {
        self.requestID = requestID
        self.accountID = accountID
        self.previous = previous
        self.current = current
        self.actorAccountID = actorAccountID
        self.screen = screen
        self.callCenterID = callCenterID
        self.warnings = warnings
        self.disabledFeatures = disabledFeatures
        self.at = at
        self.revision = revision
        self.persistentConnection = persistentConnection == true ? true : nil
    }
}

/// What became of a device change request (S3: published either way, with the request id).
public enum DeviceChangeOutcome: Hashable, Codable, Sendable {
    case applied(DeviceChange)
    /// `at`: when it was decided (nil in outcomes stored before it was kept).
    case rejected(requestID: RequestID, DeviceChangeRejection, at: Timestamp? = nil)

    public var requestID: RequestID {
        switch self {
        case .applied(let c): c.requestID
        case .rejected(let id, _, _): id
        }
    }

    /// When it was decided, if known.
    public var decidedAt: Timestamp? {
        switch self {
        case .applied(let c): c.at
        case .rejected(_, _, let at): at
        }
    }
}

/// One entry of the audit trail (S5): who changed which device, from where, when.
public struct AuditEntry: Hashable, Codable, Sendable {
    public var at: Timestamp
    public var requestID: RequestID
    public var actorAccountID: AccountID
    public var screen: SettingsScreen
    public var callCenterID: CallCenterID?
    public var accountID: AccountID
    public var previous: SignInDevice
    public var current: SignInDevice
}
