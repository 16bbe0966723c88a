import CallCenterDomain
import EventContract

/// What operators see over HTTP: devices and the audit trail, numbers masked.
public enum SettingsViews {
    public struct DeviceView: Codable, Sendable, Hashable {
        public var kind: DeviceKind
        public var number: String?
        public var phoneType: PhoneType?
        /// F12: the device keeps a persistent connection (absent: no).
        public var persistentConnection: Bool?

        public init(_ d: SignInDevice, persistentConnection: Bool = false) {
            kind = d.kind
            number = d.number?.masked
            phoneType = d.phoneType
            self.persistentConnection = persistentConnection && d.isExternal ? true : nil
        }
    }

    public struct AuditView: Codable, Sendable, Hashable {
        public var at: String
        public var requestId: String
        public var actorAccountId: String
        public var screen: SettingsScreen
        public var callCenterId: String?
        public var accountId: String
        public var previous: DeviceView
        public var current: DeviceView
    }

    public struct AccountView: Codable, Sendable, Hashable {
        public var accountId: String
        public var name: String
        public var role: Role
        public var device: DeviceView
    }

    /// The audit trail, newest first (S5).
    public static func audit(_ registry: SettingsRegistry, accountID: AccountID?, limit: Int) -> [AuditView] {
        registry.auditTrail(accountID: accountID, limit: limit).map {
            AuditView(at: RFC3339.format($0.at), requestId: $0.requestID, actorAccountId: $0.actorAccountID, screen: $0.screen,
                      callCenterId: $0.callCenterID, accountId: $0.accountID, previous: DeviceView($0.previous),
                      current: DeviceView($0.current))
        }
    }

    /// Every account with its current device.
    public static func accounts(_ registry: SettingsRegistry) -> [AccountView] {
        registry.accounts.values.sorted { $0.id < $1.id }.map {
            AccountView(accountId: $0.id, name: $0.name, role: $0.role, device: DeviceView(registry.device(of: $0.id),
                                                          persistentConnection: registry.hasPersistentConnection($0.id)))
        }
    }
}
