/// Who may change whose sign-in device from which screen (S2). The actor's role
/// and permissions come from the registry: callers pass registry records, never
/// claims from the command.
public enum DeviceChangeAuthorization {
    /// Nil when allowed; otherwise the reason.
    /// - Parameters:
    ///   - actor, target: the registry's records (nil when the registry has none in this tenant).
    ///   - callCenter: the registry's record of the command's call center, for the two call-center screens.
    public static func rejection(actor: Account?, target: Account?, screen: SettingsScreen,
                                 callCenterID: CallCenterID?, callCenter: CallCenter?) -> DeviceChangeRejection? {
        guard let actor else { return .init(.unknownAccount, "the acting account is not known in this tenant") }
        guard let target, target.tenantID == actor.tenantID else {
            return .init(.unknownAccount, "the target account is not known in this tenant")
        }
        switch screen {
        case .myAccount:
            return actor.id == target.id ? nil
                : .init(.permissionDenied, "マイアカウント (my account) changes only the signed-in account itself")
        case .account:
            return actor.role.isAdministrative ? nil
                : .init(.permissionDenied, "アカウント (account) needs the systemAdministrator or supervisor role")
        case .callCenterOperations, .realtimeMonitor:
            guard let callCenterID, !callCenterID.isEmpty else {
                return .init(.invalidRequest, "\(screen.rawValue) needs a callCenterId")
            }
            guard let callCenter, callCenter.id == callCenterID, callCenter.tenantID == actor.tenantID else {
                return .init(.invalidRequest, "call center \(callCenterID) is not known in this tenant")
            }
            guard actor.role.isAdministrative else {
                return .init(.permissionDenied, "\(screen.rawValue) needs the systemAdministrator or supervisor role")
            }
            guard actor.editableCallCenterIDs.contains(callCenterID) else {
                return .init(.permissionDenied, "no edit permission on call center \(callCenter.name)")
            }
            guard callCenter.memberAccountIDs.contains(target.id) else {
                return .init(.notAMember, "the target is not a member of call center \(callCenter.name)")
            }
            return nil
        }
    }
}
