/// One tenant's routing: the ACD queues and agents (A1–A5), the channel ledger
/// (F3), answer confirmation (F5) and in-call keys on personal phones (F6–F9).
/// Every method takes the event's time; `tick(now:)` fires the timers.
public struct RoutingState: Hashable, Codable, Sendable {
    public var tenantID: TenantID
    public private(set) var tenant: Tenant?
    public private(set) var callCenters: [CallCenterID: CallCenter] = [:]
    public private(set) var accounts: [AccountID: Account] = [:]
    public private(set) var devices: [AccountID: SignInDevice] = [:]
    /// The revision of each account's device as settings-service numbered it (S3: older changes are ignored).
    public private(set) var deviceRevisions: [AccountID: Int] = [:]
    public private(set) var agents = ChangeTrackedDictionary<AgentRouting>()
    public private(set) var calls: [CallID: RoutedCall] = [:]
    public private(set) var ledger: ChannelLedger
    public private(set) var keys: [CallID: DTMFInterpreter] = [:]
    public var dtmfPauseMilliseconds: Int64 = 3_000
    private var nextSequence: Int64 = 0

    public init(tenantID: TenantID) {
        self.tenantID = tenantID
        ledger = ChannelLedger(limit: 0)
    }

    /// States stored before device revisions have none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenantID = try c.decode(TenantID.self, forKey: .tenantID)
        tenant = try c.decodeIfPresent(Tenant.self, forKey: .tenant)
        callCenters = try c.decode([CallCenterID: CallCenter].self, forKey: .callCenters)
        accounts = try c.decode([AccountID: Account].self, forKey: .accounts)
        devices = try c.decode([AccountID: SignInDevice].self, forKey: .devices)
        deviceRevisions = try c.decodeIfPresent([AccountID: Int].self, forKey: .deviceRevisions) ?? [:]
        agents = try c.decode(ChangeTrackedDictionary<AgentRouting>.self, forKey: .agents)
        calls = try c.decode([CallID: RoutedCall].self, forKey: .calls)
        ledger = try c.decode(ChannelLedger.self, forKey: .ledger)
        keys = try c.decode([CallID: DTMFInterpreter].self, forKey: .keys)
        dtmfPauseMilliseconds = try c.decode(Int64.self, forKey: .dtmfPauseMilliseconds)
        nextSequence = try c.decode(Int64.self, forKey: .nextSequence)
    }

    // MARK: configuration

    public mutating func configure(_ tenant: Tenant) {
        self.tenant = tenant
        ledger.setLimit(tenant.concurrentCallLimit)
    }

    public mutating func configure(_ account: Account) { accounts[account.id] = account }

    public mutating func configure(_ callCenter: CallCenter, at: Timestamp) -> [RoutingOutput] {
        callCenters[callCenter.id] = callCenter
        return dispatch(now: at)
    }

    /// A sign-in device change from settings-service; takes effect for the next offer. A change whose revision is
    /// not above the one held is ignored (S3); returns whether it applied.
    @discardableResult
    public mutating func setDevice(_ device: SignInDevice, for account: AccountID, revision: Int? = nil) -> Bool {
        guard DeviceRevision.supersedes(revision, held: deviceRevisions[account]) else { return false }
        if let revision { deviceRevisions[account] = revision }
        devices[account] = device == .softphone ? nil : device
        if agents[account] != nil, device == .softphone { agents[account]?.consecutiveNoAnswers = 0 }
        return true
    }

    public func device(of account: AccountID) -> SignInDevice { devices[account] ?? .softphone }

    // MARK: telephony events

    public mutating func presenceChanged(_ account: AccountID, to presence: Presence, at: Timestamp) -> [RoutingOutput] {
        var agent = agents[account] ?? AgentRouting(idleSince: at)
        let wasFree = agent.isFree
        agent.presence = presence
        if presence == .available {
            agent.consecutiveNoAnswers = 0
            if !wasFree && agent.activity == .idle { agent.idleSince = at }
        }
        agents[account] = agent
        return dispatch(now: at)
    }

    /// A call arrives at a call center: it takes a channel for the customer's leg
    /// (or is refused at the limit) and is offered or queued.
    public mutating func callOffered(_ call: CallID, callCenter ccID: CallCenterID, callerNumber: String,
                                     at: Timestamp) -> [RoutingOutput] {
        guard calls[call] == nil, ledger.ended[call] == nil else { return [.callRejected(callID: call, reason: .duplicateCall)] }
        guard callCenters[ccID] != nil else { return [.callRejected(callID: call, reason: .unknownCallCenter)] }
        guard let change = ledger.admit(call) else {
            return [.callRejected(callID: call, reason: .concurrentCallLimitReached)]
        }
        nextSequence += 1
        calls[call] = RoutedCall(id: call, callCenterID: ccID, callerNumber: callerNumber, arrivedAt: at,
                                 sequence: nextSequence)
        var out: [RoutingOutput] = [.channelsChanged(change)]
        out += dispatch(now: at)
        if let c = calls[call], c.phase == .queued {
            out.append(.callQueued(callID: call, callCenterID: ccID, position: queuePosition(of: c),
                                   reason: queueReason(for: c)))
        }
        return out
    }

    public mutating func agentAnswered(_ call: CallID, by account: AccountID, at: Timestamp) -> [RoutingOutput] {
        guard var c = calls[call], case .ringing(let ringing, _) = c.phase, ringing == account else { return [] }
        let cc = callCenters[c.callCenterID]
        if let confirmation = cc?.answerConfirmation, confirmation.enabled, device(of: account).isExternal {
            c.phase = .awaitingConfirmation(account, deadline: at.adding(seconds: confirmation.withinSeconds))
        } else {
            c.phase = .connected(account)
            agents[account]?.consecutiveNoAnswers = 0
        }
        calls[call] = c
        agents[account]?.activity = .onCall(call)
        if device(of: account).isExternal { keys[call] = DTMFInterpreter(pauseMilliseconds: dtmfPauseMilliseconds) }
        return []
    }

    public mutating func agentNoAnswer(_ call: CallID, by account: AccountID, reason: NoAnswerReason,
                                       at: Timestamp) -> [RoutingOutput] {
        guard let c = calls[call], case .ringing(let ringing, _) = c.phase, ringing == account else { return [] }
        return noAnswer(call, account, reason, at: at, cancel: false)
    }

    /// A key on the agent's phone: answer confirmation (F5), or the in-call grammar (F6–F9).
    public mutating func keyPressed(_ key: String, call: CallID, by account: AccountID, at: Timestamp) -> [RoutingOutput] {
        guard var c = calls[call], c.agent == account else { return [] }
        if case .awaitingConfirmation(_, let deadline) = c.phase {
            if at <= deadline, let decline = callCenters[c.callCenterID]?.answerConfirmation?.declineKey, key == decline {
                return declined(call, by: account, at: at)
            }
            if at <= deadline, key == callCenters[c.callCenterID]?.answerConfirmation?.key {
                c.phase = .connected(account)
                calls[call] = c
                agents[account]?.consecutiveNoAnswers = 0
            }
            return []
        }
        guard case .connected = c.phase, var interpreter = keys[call] else { return [] }
        let actions = interpreter.press(key, at: at, resolver: resolver)
        keys[call] = interpreter
        return actions.map { .callCommand(callID: call, accountID: account, action: $0) }
    }

    /// F14: a machine answered the forwarded leg: the call is taken back and offered to the next agent; it counts
    /// as a no-answer (A5).
    public mutating func voicemailDetected(_ call: CallID, by account: AccountID, at: Timestamp) -> [RoutingOutput] {
        guard let c = calls[call], c.agent == account, c.plan?.delivery == .externalNumber else { return [] }
        switch c.phase {
        case .ringing, .awaitingConfirmation, .connected:
            return noAnswer(call, account, .voicemail, at: at, cancel: true)
        case .queued:
            return []
        }
    }

    /// The call ended (customer or agent hung up): channels are released, the agent wraps up (A3).
    public mutating func callEnded(_ call: CallID, at: Timestamp) -> [RoutingOutput] {
        var out: [RoutingOutput] = []
        if let change = ledger.end(call, at: at) { out.append(.channelsChanged(change)) }
        keys[call] = nil
        guard let c = calls.removeValue(forKey: call) else { return out }
        if let account = c.agent, var agent = agents[account] {
            switch c.phase {
            case .ringing:
                agent.activity = .idle  // not the agent's fault: keeps its place in line
            case .connected, .awaitingConfirmation:
                let wrapUp = callCenters[c.callCenterID]?.wrapUpSeconds ?? 0
                agent.activity = wrapUp > 0 ? .wrapUp(until: at.adding(seconds: wrapUp)) : .idle
                if wrapUp <= 0 { agent.idleSince = at }
            case .queued:
                break
            }
            agents[account] = agent
        }
        return out + dispatch(now: at)
    }

    /// Fires every timer due by `now`: ring timeouts (A2), confirmation deadlines (F5),
    /// ends of wrap-up (A3), and pauses ending key sequences (F6–F9).
    public mutating func tick(now: Timestamp) -> [RoutingOutput] {
        var out: [RoutingOutput] = []
        // Only a due timer changes anything: the sorted passes (in id order, as events are replayed) run only then.
        // A tick used to sort every call's and every agent's id (2,000 agents: most of a tick's time).
        let callsDue = calls.values.contains { c in
            switch c.phase {
            case .ringing(_, let deadline): now >= deadline
            case .awaitingConfirmation(_, let deadline): now > deadline
            default: false
            }
        }
        for id in callsDue ? calls.keys.sorted() : [] {
            guard let c = calls[id] else { continue }
            switch c.phase {
            case .ringing(let account, let deadline) where now >= deadline:
                out += noAnswer(id, account, .timeout, at: now, cancel: true)
            case .awaitingConfirmation(let account, let deadline) where now > deadline:
                out += noAnswer(id, account, .answerNotConfirmed, at: now, cancel: true)
            default:
                break
            }
        }
        // Each agent's wrap-up ends on its own (no other agent or call changes), so only the due ones are visited.
        var wrapUpsDue: [(account: AccountID, until: Timestamp)] = []
        for (id, agent) in agents {
            if case .wrapUp(let until) = agent.activity, now >= until { wrapUpsDue.append((id, until)) }
        }
        for (id, until) in wrapUpsDue.sorted(by: { $0.account < $1.account }) {
            agents[id]?.activity = .idle
            agents[id]?.idleSince = until
        }
        for id in keys.keys.sorted() {
            guard var interpreter = keys[id], let account = calls[id]?.agent else { continue }
            let actions = interpreter.expire(now: now, resolver: resolver)
            keys[id] = interpreter
            out += actions.map { .callCommand(callID: id, accountID: account, action: $0) }
        }
        return out + dispatch(now: now)
    }

    /// The earliest time at which `tick` has something to do (nil: nothing pending).
    public var nextDeadline: Timestamp? {
        var times: [Timestamp] = []
        for c in calls.values {
            switch c.phase {
            case .ringing(_, let d): times.append(d)
            case .awaitingConfirmation(_, let d): times.append(d.adding(milliseconds: 1))
            default: break
            }
        }
        for a in agents.values { if case .wrapUp(let u) = a.activity { times.append(u) } }
        for k in keys.values { if let d = k.deadline { times.append(d) } }
        return times.min()
    }

    // MARK: rules

    private var resolver: TransferTargetResolver {
        TransferTargetResolver(
            // A misconfigured duplicate extension resolves to the same account every time.
            extensions: Dictionary(accounts.values.map { ($0.extension, $0.id) }, uniquingKeysWith: { min($0, $1) }),
            allowInternational: tenant?.allowInternationalForwarding ?? false)
    }

    private mutating func noAnswer(_ call: CallID, _ account: AccountID, _ reason: NoAnswerReason, at: Timestamp,
                                   cancel: Bool) -> [RoutingOutput] {
        guard var c = calls[call] else { return [] }
        var out: [RoutingOutput] = cancel ? [.offerCancelled(callID: call, accountID: account, reason: reason)] : []
        let external = c.plan?.delivery == .externalNumber
        if external, let change = ledger.releaseLeg(call) { out.append(.channelsChanged(change)) }
        keys[call] = nil
        c.phase = .queued
        c.triedAccounts.insert(account)
        calls[call] = c
        if var agent = agents[account] {
            agent.activity = .idle
            agent.idleSince = at  // to the back of the line (A2)
            var consecutive = 0
            if external {
                agent.consecutiveNoAnswers += 1
                consecutive = agent.consecutiveNoAnswers
                let limit = callCenters[c.callCenterID]?.maxNoAnswer ?? 3
                if consecutive >= limit {
                    agent.presence = .away  // A5: not rung again until it is available again
                    out.append(.agentNoAnswer(callID: call, accountID: account, reason: reason, consecutive: consecutive))
                    out.append(.agentSetAway(accountID: account, callCenterID: c.callCenterID, reason: .maxNoAnswer,
                                             consecutiveNoAnswers: consecutive))
                    agents[account] = agent
                    return out + requeue(call, at: at)
                }
            }
            out.append(.agentNoAnswer(callID: call, accountID: account, reason: reason, consecutive: consecutive))
            agents[account] = agent
        }
        return out + requeue(call, at: at)
    }

    /// F13: the agent declined the call with the decline key: the offer is cancelled and the call offered to the next
    /// agent at once. Not a no-answer: A5's count is untouched and no `agent-no-answer` is published.
    private mutating func declined(_ call: CallID, by account: AccountID, at: Timestamp) -> [RoutingOutput] {
        guard var c = calls[call] else { return [] }
        var out: [RoutingOutput] = [.offerCancelled(callID: call, accountID: account, reason: .declined)]
        if c.plan?.delivery == .externalNumber, let change = ledger.releaseLeg(call) { out.append(.channelsChanged(change)) }
        keys[call] = nil
        c.phase = .queued
        c.triedAccounts.insert(account)
        calls[call] = c
        agents[account]?.activity = .idle
        agents[account]?.idleSince = at  // to the back of the line, as after a no-answer
        return out + requeue(call, at: at)
    }

    private mutating func requeue(_ call: CallID, at: Timestamp) -> [RoutingOutput] {
        var out = dispatch(now: at)
        if let c = calls[call], c.phase == .queued {
            out.append(.callQueued(callID: call, callCenterID: c.callCenterID, position: queuePosition(of: c),
                                   reason: .requeuedAfterNoAnswer))
        }
        return out
    }

    /// Offers queued calls, oldest first, to the longest-idle free member (A1). An
    /// agent on a personal phone needs a channel for the forwarded leg; without one
    /// the call goes to a free softphone agent, or waits (F3).
    private mutating func dispatch(now: Timestamp) -> [RoutingOutput] {
        var out: [RoutingOutput] = []
        var queued: [RoutedCall] = []
        for call in calls.values where call.phase == .queued { queued.append(call) }
        guard !queued.isEmpty else { return out }
        queued.sort { $0.sequence < $1.sequence }
        // It runs on every offer and hang-up: one buffer for all calls' candidates, each member looked up once, and
        // candidates taken by repeated minimum (the first one usually takes the call) rather than sorted.
        var free: [(account: AccountID, idleSince: Timestamp, tried: Bool)] = []
        for call in queued {
            guard let cc = callCenters[call.callCenterID] else { continue }
            free.removeAll(keepingCapacity: true)
            let anyTried = !call.triedAccounts.isEmpty
            var untried = 0
            for account in cc.memberAccountIDs {
                guard let agent = agents[account], agent.isFree else { continue }
                let tried = anyTried && call.triedAccounts.contains(account)
                if !tried { untried += 1 }
                free.append((account, agent.idleSince, tried))
            }
            guard !free.isEmpty else { continue }
            // Everybody free already rang out for this call: try them again rather than let it wait forever.
            let retryAll = untried == 0
            if !retryAll && untried < free.count { free.removeAll { $0.tried } }
            // Longest idle first, ties by account id.
            while let best = free.indices.min(by: { a, b in
                free[a].idleSince != free[b].idleSince ? free[a].idleSince < free[b].idleSince : free[a].account < free[b].account
            }) {
                let account = free[best].account
                free.swapAt(best, free.count - 1)
                free.removeLast()
                let device = device(of: account)
                // F16: a queue closed to personal phones is delivered to softphones only (else the call waits).
                if device.isExternal, !cc.personalPhonesAllowed { continue }
                if device.isExternal {
                    // S4 again, whatever the settings events said: a number that may not be a destination is never dialled.
                    guard let number = device.number,
                          ForwardingPolicy.rejection(of: number, for: .signInDevice,
                                                     allowInternational: tenant?.allowInternationalForwarding ?? false) == nil
                    else { continue }
                    guard let change = ledger.addLeg(call.id) else { continue }
                    out.append(.channelsChanged(change))
                }
                var c = call
                if retryAll { c.triedAccounts = [] }
                let plan = DeliveryPlan.make(accountID: account, device: device, callCenter: cc, callerNumber: call.callerNumber)
                c.attempts += 1
                c.plan = plan
                c.phase = .ringing(account, deadline: now.adding(seconds: cc.noAnswerTimeoutSeconds))
                calls[call.id] = c
                agents[account]?.activity = .ringing(call.id)
                out.append(.offeredToAgent(callID: call.id, callCenterID: cc.id, plan: plan, attempt: c.attempts))
                break
            }
        }
        return out
    }

    private func queuePosition(of call: RoutedCall) -> Int {
        1 + calls.values.filter { $0.callCenterID == call.callCenterID && $0.phase == .queued && $0.sequence < call.sequence }.count
    }

    private func queueReason(for call: RoutedCall) -> QueueReason {
        guard let cc = callCenters[call.callCenterID] else { return .noAgentAvailable }
        let free = cc.memberAccountIDs.filter { agents[$0]?.isFree == true }
        return !free.isEmpty && free.allSatisfy { device(of: $0).isExternal } && !ledger.canTake(1)
            ? .noChannelForForwardLeg : .noAgentAvailable
    }
}
