/// Agent statuses of one tenant for the three views (T1–T3), tracked for agents
/// on softphones and external numbers alike.
public struct AgentStatusBoard: Hashable, Codable, Sendable {
    public struct Entry: Hashable, Codable, Sendable {
        public var accountID: AccountID
        public var status: AgentStatus = .signedOut
        public var presence: Presence = .signedOut
        public var device: SignInDevice = .softphone
        /// The revision of `device` as settings-service numbered it (S3: older changes are ignored).
        public var deviceRevision: Int?
        public var callID: CallID?
        /// The call center of the current call: its wrap-up time applies when the call ends.
        public var callCenterID: CallCenterID?
        /// Features of the current call (from the routing decision).
        public var features: CallFeatures?
        /// Whether the customer is held right now, visible or not.
        public var held = false
        /// Counted holds (T2: never those of calls on personal phones).
        public var holdCount = 0
        public var wrapUpUntil: Timestamp?
        public var reason: String?
        public var since: Timestamp
        /// F12: the agent's open persistent leg, and whether it is connected (nil: never had one).
        public var legID: LegID?
        public var legConnected: Bool?
        /// F13, F14: offers declined with the decline key, and taken by a machine, since the agent last signed in.
        public var declinedOffers: Int?
        public var voicemailOffers: Int?

        public init(accountID: AccountID, since: Timestamp) {
            self.accountID = accountID
            self.since = since
        }
    }

    public var tenantID: TenantID
    public private(set) var entries = ChangeTrackedDictionary<Entry>()
    public private(set) var wrapUpSeconds: [CallCenterID: Int] = [:]
    /// The agents whose entry shows each call (a hang-up finds them without going through every agent). It holds
    /// only calls some entry shows, so it is bounded by the number of agents.
    private var accountsOnCall = ChangeTrackedDictionary<[AccountID]>()

    public init(tenantID: TenantID) { self.tenantID = tenantID }

    private enum CodingKeys: String, CodingKey { case tenantID, entries, wrapUpSeconds, accountsOnCall }
    private enum LegacyCodingKeys: String, CodingKey { case callCenterOfCall }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenantID = try c.decode(TenantID.self, forKey: .tenantID)
        entries = try c.decodeIfPresent(ChangeTrackedDictionary<Entry>.self, forKey: .entries) ?? ChangeTrackedDictionary()
        wrapUpSeconds = try c.decodeIfPresent([CallCenterID: Int].self, forKey: .wrapUpSeconds) ?? [:]
        if let stored = try c.decodeIfPresent(ChangeTrackedDictionary<[AccountID]>.self, forKey: .accountsOnCall) {
            accountsOnCall = stored
        } else {  // stored by an earlier version (or no call in progress)
            for (account, e) in entries { if let call = e.callID { accountsOnCall[call] = (accountsOnCall[call] ?? []) + [account] } }
        }
        // Boards stored before entries knew their call's call center kept a map of every call offered; it grew
        // without bound when a hang-up was handled before its offer. Calls in progress take their call center from it.
        let legacy = try decoder.container(keyedBy: LegacyCodingKeys.self)
        if let callCenterOfCall = try legacy.decodeIfPresent([CallID: CallCenterID].self, forKey: .callCenterOfCall) {
            let inProgress = entries.compactMap { e in e.value.callID.flatMap { callCenterOfCall[$0] }.map { (e.key, $0) } }
            for (account, callCenter) in inProgress where entries[account]?.callCenterID == nil {
                entries[account]?.callCenterID = callCenter
            }
        }
    }

    public func entry(_ account: AccountID) -> Entry? { entries[account] }

    /// The monitor's hold count over the given agents (T2).
    public func holdCount(of accounts: [AccountID]) -> Int { accounts.reduce(0) { $0 + (entries[$1]?.holdCount ?? 0) } }

    public mutating func configure(_ callCenter: CallCenter) { wrapUpSeconds[callCenter.id] = callCenter.wrapUpSeconds }

    /// A sign-in device change; one whose revision is not above the one held changes nothing (S3).
    public mutating func setDevice(_ device: SignInDevice, for account: AccountID, revision: Int? = nil,
                                   at: Timestamp) -> Entry? {
        guard DeviceRevision.supersedes(revision, held: entries[account]?.deviceRevision) else { return nil }
        return update(account, at: at) {
            $0.device = device
            if let revision { $0.deviceRevision = revision }
        }
    }

    public mutating func presenceChanged(_ account: AccountID, to presence: Presence, at: Timestamp) -> Entry? {
        update(account, at: at) {
            if $0.presence == .signedOut && presence != .signedOut {
                $0.declinedOffers = nil
                $0.voicemailOffers = nil
            }
            $0.presence = presence
            $0.reason = nil
        }
    }

    /// F12: routing dialled the agent's leg (an agent the board knows). The telephony layer's `connected` may have
    /// been read first (the two come on different topics): it is kept.
    public mutating func agentLegOpened(_ leg: LegID, for account: AccountID, at: Timestamp) -> Entry? {
        guard let e = entries[account], e.legID != leg else { return nil }
        return update(account, at: at) {
            $0.legID = leg
            $0.legConnected = false
        }
    }

    /// F12: the agent answered its leg (the current one, or one whose command was not read yet).
    public mutating func agentLegConnected(_ leg: LegID, for account: AccountID, at: Timestamp) -> Entry? {
        guard let e = entries[account], e.legID == leg || e.legID == nil else { return nil }
        return update(account, at: at) {
            $0.legID = leg
            $0.legConnected = true
        }
    }

    /// F12: the leg failed, dropped, or was closed by routing.
    public mutating func agentLegEnded(_ leg: LegID, for account: AccountID, at: Timestamp) -> Entry? {
        guard entries[account]?.legID == leg else { return nil }
        return update(account, at: at) {
            $0.legID = nil
            $0.legConnected = false
        }
    }

    /// F13, F14: counts an offer the agent declined or a machine took (shown in the monitor; no status change).
    public mutating func countMissedOffer(_ account: AccountID, reason: NoAnswerReason) {
        guard var e = entries[account], reason == .declined || reason == .voicemail else { return }
        if reason == .declined {
            e.declinedOffers = (e.declinedOffers ?? 0).saturatingAdding(1)
        } else {
            e.voicemailOffers = (e.voicemailOffers ?? 0).saturatingAdding(1)
        }
        entries[account] = e
    }

    /// The routing service rang this agent.
    public mutating func offered(_ call: CallID, callCenter: CallCenterID, to account: AccountID, features: CallFeatures,
                                 at: Timestamp) -> Entry? {
        update(account, at: at) {
            $0.callID = call
            $0.callCenterID = callCenter
            $0.features = features
            $0.held = false
        }
    }

    public mutating func answered(_ call: CallID, by account: AccountID, at: Timestamp) -> Entry? {
        guard entries[account]?.callID == call else { return nil }
        return update(account, at: at) { $0.reason = "answered" }
    }

    /// Ringing stopped without an answer.
    public mutating func noAnswer(_ call: CallID, by account: AccountID, at: Timestamp) -> Entry? {
        guard entries[account]?.callID == call else { return nil }
        return update(account, at: at) {
            $0.callID = nil
            $0.callCenterID = nil
            $0.features = nil
            $0.reason = nil
        }
    }

    /// The agent was set away by routing (A5).
    public mutating func setAway(_ account: AccountID, reason: String, at: Timestamp) -> Entry? {
        update(account, at: at) {
            $0.presence = .away
            $0.reason = reason
        }
    }

    /// A hold or its release, reported by the platform (softphone) or commanded by keys (personal phones).
    public mutating func holdChanged(_ call: CallID, account: AccountID, held: Bool, at: Timestamp) -> Entry? {
        guard let e = entries[account], e.callID == call, e.held != held else { return nil }
        return update(account, at: at) {
            $0.held = held
            // T2: holds of calls on personal phones are not counted.
            if held && ($0.features?.holdCounted ?? !$0.device.isExternal) { $0.holdCount += 1 }
        }
    }

    public mutating func callEnded(_ call: CallID, at: Timestamp) -> [Entry] {
        var changed: [Entry] = []
        // Only the agents on this call, in account order: going through every agent per hang-up was most of
        // status-service's time with 2,000 agents in a tenant.
        for account in (accountsOnCall[call] ?? []).sorted() {
            let wasTalking = entries[account]?.status == .talking || entries[account]?.status == .onHold
            let wrap = entries[account]?.callCenterID.flatMap { wrapUpSeconds[$0] } ?? 0
            if let e = update(account, at: at, { e in
                e.callID = nil
                e.callCenterID = nil
                e.features = nil
                e.held = false
                e.wrapUpUntil = wasTalking && wrap > 0 ? at.adding(seconds: wrap) : nil
                e.reason = nil
            }) { changed.append(e) }
        }
        return changed
    }

    /// Ends wrap-ups due by `now`.
    public mutating func tick(now: Timestamp) -> [Entry] {
        var changed: [Entry] = []
        let due = entries.lazy.filter { $0.value.wrapUpUntil.map { now >= $0 } ?? false }.map(\.key).sorted()
        for account in due {
            if let until = entries[account]?.wrapUpUntil, let e = update(account, at: until, { $0.wrapUpUntil = nil }) {
                changed.append(e)
            }
        }
        return changed
    }

    /// Applies a change and recomputes the status; returns the entry if its status or hold count changed.
    private mutating func update(_ account: AccountID, at: Timestamp, _ change: (inout Entry) -> Void) -> Entry? {
        var e = entries[account] ?? Entry(accountID: account, since: at)
        let before = (e.status, e.holdCount, e.device, e.legConnected)
        let previousCall = e.callID
        change(&e)
        if e.callID != previousCall {
            if let previousCall, var accounts = accountsOnCall[previousCall] {
                accounts.removeAll { $0 == account }
                accountsOnCall[previousCall] = accounts.isEmpty ? nil : accounts
            }
            if let call = e.callID { accountsOnCall[call] = (accountsOnCall[call] ?? []) + [account] }
        }
        e.status = Self.status(of: e)
        if (e.status, e.holdCount, e.device, e.legConnected) == before && entries[account] != nil {
            entries[account] = e
            return nil
        }
        if e.status != before.0 { e.since = at }
        entries[account] = e
        return e
    }

    /// The status shown. T3: a call on a landline never shows on hold, only talking.
    static func status(of e: Entry) -> AgentStatus {
        if e.callID != nil {
            if e.reason == "answered" || e.held {
                let visible = e.features?.holdVisible ?? (e.device.phoneType != .landline)
                return e.held && visible ? .onHold : .talking
            }
            return .ringing
        }
        if e.wrapUpUntil != nil { return .wrapUp }
        switch e.presence {
        case .available: return .available
        case .away: return .away
        case .signedOut: return .signedOut
        }
    }
}
