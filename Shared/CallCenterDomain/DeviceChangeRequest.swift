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

    public init(requestID: RequestID, accountID: AccountID, previous: SignInDevice, current: SignInDevice,
                actorAccountID: AccountID, screen: SettingsScreen, callCenterID: CallCenterID?, warnings: [DeviceWarning],
                disabledFeatures: [DisabledFeature], at: Timestamp) {
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
    }
}

/// What became of a device change request (S3: published either way, with the request id).
public enum DeviceChangeOutcome: Hashable, Codable, Sendable {
    case applied(DeviceChange)
    case rejected(requestID: RequestID, DeviceChangeRejection)

    public var requestID: RequestID {
        switch self {
        case .applied(let c): c.requestID
        case .rejected(let id, _): id
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
