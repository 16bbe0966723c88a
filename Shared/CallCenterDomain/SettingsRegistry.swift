/// One tenant's account registry and sign-in devices, as settings-service keeps
/// them (S1–S5). Pure state: the service persists it and publishes outcomes.
public struct SettingsRegistry: Hashable, Codable, Sendable {
    public var tenantID: TenantID
    public var tenant: Tenant?
    public var accounts: [AccountID: Account] = [:]
    public var callCenters: [CallCenterID: CallCenter] = [:]
    /// Accounts without an entry use the softphone (the default).
    public var devices: [AccountID: SignInDevice] = [:]
    /// Outcome of every request id seen within the retry window, so that a repeat is answered the same and changes
    /// nothing (S3). Request ids are chosen by the caller: the map is bounded by `outcomeRetentionSeconds` and
    /// `outcomeLimit`, and a request older than what it forgot is refused rather than decided again.
    public var outcomes = ChangeTrackedDictionary<DeviceChangeOutcome>()
    /// Requests decided before this were forgotten: one at or before it is refused as expired.
    public var outcomesForgottenBefore: Timestamp?
    /// Each account's last applied change number (`DeviceChange.revision`).
    public var deviceRevisions: [AccountID: Int] = [:]
    /// Accounts whose external number keeps a persistent connection (F12).
    public var persistentConnections: Set<AccountID> = []
    /// Applied changes, oldest first (S5), the latest `auditLimit` of them at least and `2 * auditLimit` at most
    /// (the whole trail is `cc.settings.events`).
    public var audit: [AuditEntry] = []

    /// How long a request id is remembered (a client retries within minutes; 7 days is far beyond that).
    public static let outcomeRetentionSeconds = 7 * 86_400
    /// How many request ids a tenant remembers at most, whatever their age.
    public static let outcomeLimit = 100_000
    /// How many audit entries a tenant keeps in memory at least (trimmed in halves, so the store rewrites the
    /// trail once per `auditLimit` changes rather than on every change).
    public static let auditLimit = 5_000

    public init(tenantID: TenantID) { self.tenantID = tenantID }

    /// Stores written before revisions and the retry window have neither.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenantID = try c.decode(TenantID.self, forKey: .tenantID)
        tenant = try c.decodeIfPresent(Tenant.self, forKey: .tenant)
        accounts = try c.decodeIfPresent([AccountID: Account].self, forKey: .accounts) ?? [:]
        callCenters = try c.decodeIfPresent([CallCenterID: CallCenter].self, forKey: .callCenters) ?? [:]
        devices = try c.decodeIfPresent([AccountID: SignInDevice].self, forKey: .devices) ?? [:]
        outcomes = try c.decodeIfPresent(ChangeTrackedDictionary<DeviceChangeOutcome>.self, forKey: .outcomes)
            ?? ChangeTrackedDictionary()
        outcomesForgottenBefore = try c.decodeIfPresent(Timestamp.self, forKey: .outcomesForgottenBefore)
        deviceRevisions = try c.decodeIfPresent([AccountID: Int].self, forKey: .deviceRevisions) ?? [:]
        persistentConnections = try c.decodeIfPresent(Set<AccountID>.self, forKey: .persistentConnections) ?? []
        audit = try c.decodeIfPresent([AuditEntry].self, forKey: .audit) ?? []
    }

    public func device(of accountID: AccountID) -> SignInDevice { devices[accountID] ?? .softphone }

    /// F12: whether the account's device keeps a persistent connection.
    public func hasPersistentConnection(_ accountID: AccountID) -> Bool { persistentConnections.contains(accountID) }

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
        if let horizon = outcomesForgottenBefore, at < horizon {
            // Its first outcome may have been forgotten: deciding it again could bring back an older device.
            return (.rejected(requestID: request.requestID, .init(.invalidRequest,
                "the request is older than the retry window (\(Self.outcomeRetentionSeconds / 86_400) days)"), at: at), true)
        }
        let outcome = decide(request, at: at)
        outcomes[request.requestID] = outcome
        if case .applied(let change) = outcome {
            devices[change.accountID] = change.current == .softphone ? nil : change.current
            deviceRevisions[change.accountID] = change.revision
            if change.persistentConnection == true {
                persistentConnections.insert(change.accountID)
            } else {
                persistentConnections.remove(change.accountID)
            }
            audit.append(AuditEntry(at: at, requestID: change.requestID, actorAccountID: change.actorAccountID,
                                    screen: change.screen, callCenterID: change.callCenterID, accountID: change.accountID,
                                    previous: change.previous, current: change.current))
            if audit.count >= 2 * Self.auditLimit { audit = Array(audit.suffix(Self.auditLimit)) }
        }
        forgetOutcomes(now: at)
        return (outcome, false)
    }

    /// Forgets request ids past the retry window, and the oldest beyond `outcomeLimit`; later requests from before
    /// the newest forgotten one are refused.
    private mutating func forgetOutcomes(now: Timestamp) {
        let window = now.adding(seconds: -Self.outcomeRetentionSeconds)
        // A pass goes through every outcome: it runs once per 1,024 new ones (amortised O(1) per request), and
        // whenever the map is over its limit.
        guard outcomes.count > Self.outcomeLimit || outcomes.count.isMultiple(of: 1_024) else { return }
        // Outcomes stored before their time was kept count as the oldest.
        func decided(_ o: DeviceChangeOutcome) -> Timestamp { o.decidedAt ?? Timestamp(millisecondsSinceEpoch: 0) }
        var cutoff = window
        if outcomes.count > Self.outcomeLimit {
            // Down to 90% of the limit, so that the sort runs once per tenth of the limit, not on every request.
            let keep = Self.outcomeLimit - Self.outcomeLimit / 10
            let times = outcomes.values.map(decided).sorted()
            cutoff = Swift.max(cutoff, times[outcomes.count - keep])
        }
        outcomes.removeAll { _, outcome in decided(outcome) < cutoff }
        outcomesForgottenBefore = Swift.max(outcomesForgottenBefore ?? cutoff, cutoff)
    }

    private func decide(_ request: DeviceChangeRequest, at: Timestamp) -> DeviceChangeOutcome {
        func reject(_ r: DeviceChangeRejection) -> DeviceChangeOutcome { .rejected(requestID: request.requestID, r, at: at) }
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
        let persistent = current.isExternal && request.device.persistentConnection == true
        return .applied(DeviceChange(
            requestID: request.requestID, accountID: request.targetAccountID,
            previous: device(of: request.targetAccountID), current: current,
            actorAccountID: request.actorAccountID, screen: request.screen, callCenterID: ccID,
            warnings: DeviceChangeAdvice.warnings(for: current, callCenters: callCenters(of: request.targetAccountID),
                                                  persistentConnection: persistent),
            disabledFeatures: DeviceChangeAdvice.disabledFeatures(for: current), at: at,
            revision: (deviceRevisions[request.targetAccountID] ?? 0) + 1, persistentConnection: persistent))
    }

    /// The audit trail of one account (or all), newest first.
    public func auditTrail(accountID: AccountID? = nil, limit: Int = 100) -> [AuditEntry] {
        Array(audit.reversed().lazy.filter { accountID == nil || $0.accountID == accountID }.prefix(limit))
    }
}
