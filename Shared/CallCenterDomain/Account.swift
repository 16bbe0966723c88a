/// An account of a tenant, as the registry (`cc.account.configured.v1`) knows it.
public struct Account: Hashable, Codable, Sendable {
    public var id: AccountID
    public var tenantID: TenantID
    public var name: String
    public var role: Role
    public var `extension`: String
    /// Call centers this account may edit (S2: callCenterOperations, realtimeMonitor).
    public var editableCallCenterIDs: Set<CallCenterID>

    public init(id: AccountID, tenantID: TenantID, name: String, role: Role, extension: String,
                editableCallCenterIDs: Set<CallCenterID> = []) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.role = role
        self.extension = `extension`
        self.editableCallCenterIDs = editableCallCenterIDs
    }
}
