/// Monitoring and whisper (M1, M2).
public enum MonitorPolicy {
    public enum Mode: String, Codable, Sendable { case monitor, whisper }

    public enum Refusal: String, Error, Codable, Sendable {
        case unknownAccount
        case permissionDenied
        /// M2: monitoring cannot be started from a personal phone.
        case supervisorOnPersonalPhone
        case targetNotOnCall
    }

    /// Decides a monitor or whisper request. The supervisor's role and device come
    /// from the registry. Calls on personal phones can be monitored (M1).
    public static func decide(supervisor: Account?, supervisorDevice: SignInDevice, target: Account?,
                              targetOnCall: Bool) -> Result<Void, Refusal> {
        guard let supervisor, let target, supervisor.tenantID == target.tenantID else { return .failure(.unknownAccount) }
        guard supervisor.role.isAdministrative else { return .failure(.permissionDenied) }
        guard !supervisorDevice.isExternal else { return .failure(.supervisorOnPersonalPhone) }
        guard targetOnCall else { return .failure(.targetNotOnCall) }
        return .success(())
    }
}
