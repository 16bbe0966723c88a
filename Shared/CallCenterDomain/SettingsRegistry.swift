/// One tenant's account registry and sign-in devices, as settings-service keeps
/// them (S1–S5). Pure state: the service persists it and publishes outcomes.
public struct SettingsRegistry: Hashable, Codable, Sendable {
    public var tenantID: TenantID
    public var tenant: Tenant?
    public var accounts: [AccountID: Account] = [:]
    public var callCenters: [CallCenterID: CallCenter] = [:]
    /// Accounts without an entry use the softphone (the default).
    public var devices: [AccountID: SignInDevice] = [:]
    /// Outcome of every request id seen, so that a repeat is answered the same and changes nothing (S3).
    public var outcomes = ChangeTrackedDictionary<DeviceChangeOutcome>()
    /// Applied changes, oldest first (S5).
    public var audit: [AuditEntry] = []

    public init(tenantID: TenantID) { self.tenantID = tenantID }

    public func device(of accountID: AccountID) -> SignInDevice { devices[accountID] ?? .softphone }

    /// The call centers an account is a member of, by id.
    public func callCenters(of accountID: AccountID) -> [CallCenter] {
        callCenters.values.filter { $0.memberAccountIDs.contains(accountID) }.sorted { $0.id < $1.id }
    }

    public mutating func configure(_ tenant: Tenant) { self.tenant = tenant }
    public mutating func configure(_ account: Account) { accounts[account.id] = account }
    public mutating func configure(_ callCenter: CallCenter) { callCenters[callCenter.id] = callCenter }

    /// Decides and applies a device change request.
    /// - Returns: the outcome and whether it is a replay of an earlier request (nothing changed).
    public mutating func handle(_ request: DeviceChangeRequest, at: Timestamp) -> (outcome: DeviceChangeOutcome, replay: Bool) {
        if let earlier = outcomes[request.requestID] { return (earlier, true) }
        let outcome = decide(request, at: at)
        outcomes[request.requestID] = outcome
        if case .applied(let change) = outcome {
            devices[change.accountID] = change.current == .softphone ? nil : change.current
            audit.append(AuditEntry(at: at, requestID: change.requestID, actorAccountID: change.actorAccountID,
                                    screen: change.screen, callCenterID: change.callCenterID, accountID: change.accountID,
                                    previous: change.previous, current: change.current))
        }
        return (outcome, false)
    }

    private func decide(_ request: DeviceChangeRequest, at: Timestamp) -> DeviceChangeOutcome {
        func reject(_ r: DeviceChangeRejection) -> DeviceChangeOutcome { .rejected(requestID: request.requestID, r) }
        guard !request.requestID.isEmpty else { return reject(.init(.invalidRequest, "requestId is empty")) }
        let ccID = request.screen.isCallCenterScoped ? request.callCenterID : nil
        if let denied = DeviceChangeAuthorization.rejection(
            actor: accounts[request.actorAccountID], target: accounts[request.targetAccountID], screen: request.screen,
            callCenterID: ccID, callCenter: ccID.flatMap { callCenters[$0] }) {
            return reject(denied)
        }
        let current: SignInDevice
        switch SignInDevice.validate(request.device, allowInternational: tenant?.allowInternationalForwarding ?? false) {
        case .success(let d): current = d
        case .failure(let r): return reject(r)
        }
        return .applied(DeviceChange(
            requestID: request.requestID, accountID: request.targetAccountID,
            previous: device(of: request.targetAccountID), current: current,
            actorAccountID: request.actorAccountID, screen: request.screen, callCenterID: ccID,
            warnings: DeviceChangeAdvice.warnings(for: current, callCenters: callCenters(of: request.targetAccountID)),
            disabledFeatures: DeviceChangeAdvice.disabledFeatures(for: current), at: at))
    }

    /// The audit trail of one account (or all), newest first.
    public func auditTrail(accountID: AccountID? = nil, limit: Int = 100) -> [AuditEntry] {
        Array(audit.reversed().lazy.filter { accountID == nil || $0.accountID == accountID }.prefix(limit))
    }
}
