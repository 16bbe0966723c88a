/// One tenant's routing: the ACD queues and agents (A1–A5), the channel ledger
/// (F3), answer confirmation (F5), in-call keys on personal phones (F6–F9) and persistent agent legs (F12).
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
    /// F12: accounts whose external number keeps a persistent connection.
    public private(set) var persistentConnections: Set<AccountID> = []
    /// F12: the open agent leg of each agent that has one.
    public private(set) var agentLegs: [AccountID: AgentLeg] = [:]
    /// F12: agents whose leg failed, dropped or timed out: rung per call until they are next made available or
    /// their device changes (no redialling loop).
    public private(set) var legsHeldBack: Set<AccountID> = []
    public var dtmfPauseMilliseconds: Int64 = 3_000
    private var nextSequence: Int64 = 0
    private var nextLegNumber: Int64 = 0

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
        persistentConnections = try c.decodeIfPresent(Set<AccountID>.self, forKey: .persistentConnections) ?? []
        agentLegs = try c.decodeIfPresent([AccountID: AgentLeg].self, forKey: .agentLegs) ?? [:]
        legsHeldBack = try c.decodeIfPresent(Set<AccountID>.self, forKey: .legsHeldBack) ?? []
        nextLegNumber = try c.decodeIfPresent(Int64.self, forKey: .nextLegNumber) ?? 0
    }

    // MARK: configuration

    public mutating func configure(_ tenant: Tenant) {
        self.tenant = tenant
        ledger.setLimit(tenant.concurrentCallLimit)
    }

    public mutating func configure(_ account: Account) { accounts[account.id] = account }

    public mutating func configure(_ callCenter: CallCenter, at: Timestamp) -> [RoutingOutput] {
        callCenters[callCenter.id] = callCenter
        return reconcileLegs(now: at) + dispatch(now: at)
    }

    /// A sign-in device change from settings-service; takes effect for the next offer. A change whose revision is
    /// not above the one held is ignored (S3); returns whether it applied.
    @discardableResult
    public mutating func setDevice(_ device: SignInDevice, for account: AccountID, revision: Int? = nil,
                                   persistentConnection: Bool = false) -> Bool {
        guard DeviceRevision.supersedes(revision, held: deviceRevisions[account]) else { return false }
        if let revision { deviceRevisions[account] = revision }
        devices[account] = device == .softphone ? nil : device
        if persistentConnection && device.isExternal {
            persistentConnections.insert(account)
        } else {
            persistentConnections.remove(account)
        }
        legsHeldBack.remove(account)
        if agents[account] != nil, device == .softphone { agents[account]?.consecutiveNoAnswers = 0 }
        return true
    }

    /// A device change with what it does to the agent's leg (F12): a leg to the old number is closed, one to the new
    /// number opened when the agent is available.
    public mutating func changeDevice(_ device: SignInDevice, for account: AccountID, revision: Int?,
                                      persistentConnection: Bool, at: Timestamp) -> [RoutingOutput] {
        guard setDevice(device, for: account, revision: revision, persistentConnection: persistentConnection) else { return [] }
        return reconcileLeg(of: account, now: at) + dispatch(now: at)
    }

    public func device(of account: AccountID) -> SignInDevice { devices[account] ?? .softphone }

    // MARK: telephony events

    public mutating func presenceChanged(_ account: AccountID, to presence: Presence, at: Timestamp) -> [RoutingOutput] {
        var agent = agents[account] ?? AgentRouting(idleSince: at)
        let wasFree = agent.isFree
        if presence == .available && agent.presence != .available { legsHeldBack.remove(account) }
        agent.presence = presence
        if presence == .available {
            agent.consecutiveNoAnswers = 0
            if !wasFree && agent.activity == .idle { agent.idleSince = at }
        }
        agents[account] = agent
        return reconcileLeg(of: account, now: at) + dispatch(now: at)
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
        // F12: a bridged call needs no confirmation: the agent answered the leg, and no voicemail can take it.
        if let confirmation = cc?.answerConfirmation, confirmation.enabled, c.plan?.delivery == .externalNumber {
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
        if let account = c.agent, let leg = c.plan?.legID, agentLegs[account]?.id == leg {
            agentLegs[account]?.idleSince = at  // F12: the leg's idle time starts again
        }
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
            out += reconcileLeg(of: account, now: at)  // a leg whose close waited for this call
        }
        return out + dispatch(now: at)
    }

    // MARK: agent legs (F12)

    /// The telephony layer connected the agent's leg: calls are bridged onto it from now on.
    public mutating func agentLegConnected(_ leg: LegID, account: AccountID, at: Timestamp) -> [RoutingOutput] {
        guard var l = agentLegs[account], l.id == leg, !l.isConnected else { return [] }
        l.phase = .connected(since: at)
        l.idleSince = at
        agentLegs[account] = l
        return dispatch(now: at)
    }

    /// The leg could not be connected (`failure`), or it dropped: its channel is released and the agent is rung
    /// per call until next made available. A call being bridged onto it goes to the next agent.
    public mutating func agentLegEnded(_ leg: LegID, account: AccountID, failure: AgentLegFailureReason?,
                                       at: Timestamp) -> [RoutingOutput] {
        guard let l = agentLegs[account], l.id == leg else { return [] }
        agentLegs[account] = nil
        legsHeldBack.insert(account)
        var out: [RoutingOutput] = []
        if let change = ledger.closeAgentLeg(leg) { out.append(.channelsChanged(change)) }
        if case .ringing(let call) = agents[account]?.activity, calls[call]?.plan?.legID == leg {
            return out + noAnswer(call, account, .unreachable, at: at, cancel: true)
        }
        return out + dispatch(now: at)
    }

    /// Opens, closes or keeps each agent's leg as its presence, device, calls and idle time say.
    private mutating func reconcileLegs(now: Timestamp) -> [RoutingOutput] {
        guard !persistentConnections.isEmpty || !agentLegs.isEmpty else { return [] }
        return persistentConnections.union(agentLegs.keys).sorted().flatMap { reconcileLeg(of: $0, now: now) }
    }

    private mutating func reconcileLeg(of account: AccountID, now: Timestamp) -> [RoutingOutput] {
        var out: [RoutingOutput] = []
        if let leg = agentLegs[account] {
            guard let reason = closeReason(for: leg, now: now) else { return [] }
            out = closeLeg(of: account, reason: reason)
        }
        return out + openLegIfWanted(for: account, now: now)
    }

    private func closeReason(for leg: AgentLeg, now: Timestamp) -> AgentLegCloseReason? {
        guard let agent = agents[leg.accountID] else { return .presence }
        if case .ringing(let call) = agent.activity, calls[call]?.plan?.legID == leg.id { return nil }
        if case .onCall(let call) = agent.activity, calls[call]?.plan?.legID == leg.id { return nil }  // closed after it
        if !persistentConnections.contains(leg.accountID) || device(of: leg.accountID).number != leg.dialNumber {
            return .deviceChanged
        }
        if agent.presence != .available { return .presence }
        switch leg.phase {
        case .dialing(let since):
            return now >= since.adding(seconds: AgentLeg.dialTimeoutSeconds) ? .dialTimeout : nil
        case .connected:
            return now >= legIdleDeadline(leg) ? .idleTimeout : nil
        }
    }

    private func legIdleDeadline(_ leg: AgentLeg) -> Timestamp {
        let minutes = callCenters.values.filter { $0.memberAccountIDs.contains(leg.accountID) }.map(\.legIdleMinutes).min()
            ?? PersistentConnectionSettings.defaultIdleMinutes
        return leg.idleSince.adding(seconds: minutes.saturatingMultiplied(by: 60))
    }

    private mutating func closeLeg(of account: AccountID, reason: AgentLegCloseReason) -> [RoutingOutput] {
        guard let leg = agentLegs.removeValue(forKey: account) else { return [] }
        var out: [RoutingOutput] = [.agentLegClose(accountID: account, legID: leg.id, reason: reason)]
        if let change = ledger.closeAgentLeg(leg.id) { out.append(.channelsChanged(change)) }
        if reason == .idleTimeout || reason == .dialTimeout { legsHeldBack.insert(account) }
        return out
    }

    /// Dials a leg for an available agent not on a call, with a persistent connection, when a channel is free (F3: no
    /// channel, no leg; the agent is rung per call) and one of its call centers takes calls on personal phones.
    private mutating func openLegIfWanted(for account: AccountID, now: Timestamp) -> [RoutingOutput] {
        guard persistentConnections.contains(account), !legsHeldBack.contains(account), agentLegs[account] == nil,
              let agent = agents[account], agent.presence == .available, let number = device(of: account).number,
              ForwardingPolicy.rejection(of: number, for: .signInDevice,
                                         allowInternational: tenant?.allowInternationalForwarding ?? false) == nil,
              let callCenter = callCenters.values.filter({ $0.personalPhonesAllowed && $0.memberAccountIDs.contains(account) })
                  .min(by: { $0.id < $1.id })
        else { return [] }
        switch agent.activity {
        case .idle, .wrapUp: break  // dialled during wrap-up, it is up when the agent is free
        case .ringing, .onCall: return []
        }
        let id = "leg-\(nextLegNumber + 1)"
        guard let change = ledger.openAgentLeg(id) else { return [] }
        nextLegNumber += 1
        agentLegs[account] = AgentLeg(id: id, accountID: account, dialNumber: number, openedAt: now)
        // F1: the agent's phone shows the call center's number.
        return [.channelsChanged(change),
                .agentLegOpen(accountID: account, legID: id, dialNumber: number, callCenterID: callCenter.id,
                              presentedCallerID: callCenter.externalNumber)]
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
        return out + reconcileLegs(now: now) + dispatch(now: now)
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
        for leg in agentLegs.values {
            switch leg.phase {
            case .dialing(let since): times.append(since.adding(seconds: AgentLeg.dialTimeoutSeconds))
            case .connected: times.append(legIdleDeadline(leg))
            }
        }
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
        let external = c.plan?.delivery.isExternal == true
        // A bridged call (F12) held no channel of its own for the agent: the leg keeps its channel.
        if c.plan?.delivery == .externalNumber, let change = ledger.releaseLeg(call) { out.append(.channelsChanged(change)) }
        if let leg = c.plan?.legID, agentLegs[account]?.id == leg { agentLegs[account]?.idleSince = at }
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
                    return out + reconcileLeg(of: account, now: at) + requeue(call, at: at)
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
                // F12: a connected leg takes the call without ringing (its channel is already held); while the leg
                // is being dialled the phone is busy.
                let leg = device.isExternal ? agentLegs[account] : nil
                if let leg, !leg.isConnected { continue }
                if device.isExternal, leg == nil {
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
                let announcement = device.isExternal
                    ? DeliveryAnnouncement.make(callCenter: cc, callerNumber: call.callerNumber, arrivedAt: call.arrivedAt, now: now)
                    : nil
                let plan = DeliveryPlan.make(accountID: account, device: device, callCenter: cc, callerNumber: call.callerNumber,
                                             leg: leg?.id, announcement: announcement)
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
