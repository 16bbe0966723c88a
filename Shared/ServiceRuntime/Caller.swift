import Foundation

/// Who made an HTTP request, as its verified access token says: the one tenant it may see, its account and role.
public struct Caller: Sendable, Equatable {
    /// The roles of the contract's access tokens, spelled as in the `role` claim.
    public enum Role: String, Sendable, CaseIterable {
        case systemAdministrator, supervisor, agent
    }

    public var tenant: String
    public var accountID: String
    public var role: Role
    /// When the token stops being valid: long-lived responses (the live stream) end then.
    public var expiresAt: Date

    public init(tenant: String, accountID: String, role: Role, expiresAt: Date) {
        self.tenant = tenant
        self.accountID = accountID
        self.role = role
        self.expiresAt = expiresAt
    }

    /// The roles that may read the data routes (accounts, audit, monitor, agents, channels, reports, charts).
    public static let dataRoles: Set<Role> = [.systemAdministrator, .supervisor]
}
