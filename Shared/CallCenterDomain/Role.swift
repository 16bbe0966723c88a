/// An account's role in its tenant.
public enum Role: String, Codable, Sendable, CaseIterable {
    case systemAdministrator
    case supervisor
    case agent

    /// System administrators and supervisors administer other accounts.
    public var isAdministrative: Bool { self != .agent }
}
