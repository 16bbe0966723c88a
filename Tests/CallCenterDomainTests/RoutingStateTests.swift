import CallCenterDomain
import Testing

@Suite("A, F3, F5 routing")
struct RoutingStateTests {
    /// Tenant with limit `limit`; call center cc1 (35 s timeouts) with the given members, all available.
    static func routing(limit: Int = 10, members: [String] = ["a1", "a2", "a3"], devices: [String: SignInDevice] = [:],
                        confirmation: AnswerConfirmation? = nil, maxNoAnswer: Int = 3) -> RoutingState {
        var r = RoutingState(tenantID: Fixtures.tenantID)
        r.configure(Fixtures.tenant(limit: limit))
        for (i, m) in members.enumerated() { r.configure(Fixtures.account(m, .agent, ext: "\(200 + i)")) }
        _ = r.configure(Fixtures.callCenter("cc1", members: members, confirmation: confirmation, maxNoAnswer: maxNoAnswer),
                        at: Fixtures.t0)
        for (a, d) in devices { r.setDevice(d, for: a) }
        // Become available one second apart: a1 has been idle longest.
        for (i, m) in members.enumerated() {
            _ = r.presenceChanged(m, to: .available, at: Fixtures.t0.adding(seconds: i))
        }
        return r
    }

    static func offers(_ out: [RoutingOutput]) -> [(CallID, DeliveryPlan, Int)] {
        out.compactMap { if case .offeredToAgent(let c, _, let p, let n) = $0 { (c, p, n) } else { nil } }
    }

    @Test("A1 a call goes to the longest-idle available member; others wait in arrival order")
    func longestIdleAndFIFO() {
        var r = Self.routing(members: ["a1", "a2"])
        let t = Fixtures.t0.adding(seconds: 10)
        #expect(Self.offers(r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)).first?.1.accountID == "a1")
        #expect(Self.offers(r.callOffered("c2", callCenter: "cc1", callerNumber: "+81311112222", at: t)).first?.1.accountID == "a2")
        let queued3 = r.callOffered("c3", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        #expect(queued3.contains(.callQueued(callID: "c3", callCenterID: "cc1", position: 1, reason: .noAgentAvailable)))
        let queued4 = r.callOffered("c4", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        #expect(queued4.contains(.callQueued(callID: "c4", callCenterID: "cc1", position: 2, reason: .noAgentAvailable)))
        // a1 and a2 answer; a1 hangs up; after wrap-up the oldest waiting call (c3) goes to a1.
        _ = r.agentAnswered("c1", by: "a1", at: t)
        _ = r.agentAnswered("c2", by: "a2", at: t)
        _ = r.callEnded("c1", at: t.adding(seconds: 60))
        let after = r.tick(now: t.adding(seconds: 60 + 35))
        #expect(Self.offers(after).map(\.0) == ["c3"])
    }

    @Test("A1 agents idle since the same moment are offered in account-id order, whatever the member list's order")
    func equalIdleTimesByAccountID() {
        var r = RoutingState(tenantID: Fixtures.tenantID)
        r.configure(Fixtures.tenant(limit: 10))
        let members = ["b", "c", "a"]
        for (i, m) in members.enumerated() { r.configure(Fixtures.account(m, .agent, ext: "\(200 + i)")) }
        _ = r.configure(Fixtures.callCenter("cc1", members: members), at: Fixtures.t0)
        for m in members { _ = r.presenceChanged(m, to: .available, at: Fixtures.t0) }
        let t = Fixtures.t0.adding(seconds: 10)
        let offered = ["c1", "c2", "c3", "c4"].compactMap { call in
            Self.offers(r.callOffered(call, callCenter: "cc1", callerNumber: "+81311112222", at: t)).first?.1.accountID
        }
        #expect(offered == ["a", "b", "c"], "the fourth call waits")
    }

    @Test("A2 on ring timeout the agent is marked no-answer and the next agent is tried")
    func ringTimeout() {
        var r = Self.routing(members: ["a1", "a2"])
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        #expect(r.tick(now: t.adding(seconds: 34)).isEmpty)
        let out = r.tick(now: t.adding(seconds: 35))
        #expect(out.contains(.offerCancelled(callID: "c1", accountID: "a1", reason: .timeout)))
        #expect(out.contains(.agentNoAnswer(callID: "c1", accountID: "a1", reason: .timeout, consecutive: 0)))
        let next = Self.offers(out)
        #expect(next.map(\.1.accountID) == ["a2"] && next.first?.2 == 2)
    }

    @Test("A2 a refusal reported by telephony re-offers to the next agent")
    func refusal() {
        var r = Self.routing(members: ["a1", "a2"])
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: Fixtures.t0.adding(seconds: 10))
        let out = r.agentNoAnswer("c1", by: "a1", reason: .rejected, at: Fixtures.t0.adding(seconds: 12))
        #expect(Self.offers(out).map(\.1.accountID) == ["a2"])
        // A stale no-answer for an agent not ringing changes nothing.
        #expect(r.agentNoAnswer("c1", by: "a1", reason: .rejected, at: Fixtures.t0.adding(seconds: 13)).isEmpty)
    }

    @Test("A3 after a call ends the agent wraps up for the call center's wrap-up time, then is available")
    func wrapUp() {
        var r = Self.routing(members: ["a1"])
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.agentAnswered("c1", by: "a1", at: t.adding(seconds: 2))
        _ = r.callEnded("c1", at: t.adding(seconds: 100))
        #expect(r.agents["a1"]?.activity == .wrapUp(until: t.adding(seconds: 135)))
        _ = r.callOffered("c2", callCenter: "cc1", callerNumber: "+81311112222", at: t.adding(seconds: 110))
        #expect(Self.offers(r.tick(now: t.adding(seconds: 134))).isEmpty)
        #expect(Self.offers(r.tick(now: t.adding(seconds: 135))).map(\.0) == ["c2"])
    }

    @Test("A2 A3 a tick fires every due ring timeout in call-id order and ends every due wrap-up; with nothing due it changes nothing")
    func tickFiresOnlyWhatIsDue() {
        var r = Self.routing(members: ["a1", "a2", "a3", "a4"])
        let t = Fixtures.t0.adding(seconds: 10)
        // a1 and a2 take calls that end (wrap-up 35 s); c3 and c4 then ring a3 and a4 without an answer.
        _ = r.callOffered("x1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.callOffered("x2", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.agentAnswered("x1", by: "a1", at: t)
        _ = r.agentAnswered("x2", by: "a2", at: t)
        _ = r.callEnded("x2", at: t.adding(seconds: 1))
        _ = r.callEnded("x1", at: t.adding(seconds: 2))
        _ = r.callOffered("c4", callCenter: "cc1", callerNumber: "+81311112222", at: t.adding(seconds: 3))
        _ = r.callOffered("c3", callCenter: "cc1", callerNumber: "+81311112222", at: t.adding(seconds: 3))
        let before = r
        #expect(r.tick(now: t.adding(seconds: 30)).isEmpty)
        #expect(r == before, "nothing due: the state is unchanged")
        // At +38 s both rings (35 s from +3 s) and both wrap-ups (+36, +37 s) are due.
        let out = r.tick(now: t.adding(seconds: 38))
        let cancelled = out.compactMap { if case .offerCancelled(let c, _, .timeout) = $0 { c } else { nil } }
        #expect(cancelled == ["c3", "c4"], "in call-id order")
        // Ring timeouts come first (each re-offered to whoever is free then: only the agent it just rang), then
        // the wrap-ups end, each agent idle since its own wrap-up's end.
        #expect(Self.offers(out).map { "\($0.0)>\($0.1.accountID)" } == ["c3>a4", "c4>a3"])
        #expect(r.agents["a1"]?.activity == .idle && r.agents["a1"]?.idleSince == t.adding(seconds: 37))
        #expect(r.agents["a2"]?.activity == .idle && r.agents["a2"]?.idleSince == t.adding(seconds: 36))
    }

    @Test("A4 F1 F3 T2 T3 F10 F11 the offer carries device, number, caller id, channels, timeout and features")
    func deliveryPlan() throws {
        var r = Self.routing(members: ["m", "s", "l"], devices: ["m": Fixtures.mobile, "l": Fixtures.landline])
        let t = Fixtures.t0.adding(seconds: 10)
        let mobile = try #require(Self.offers(r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)).first?.1)
        #expect(mobile.accountID == "m" && mobile.delivery == .externalNumber)
        #expect(mobile.dialNumber?.e164 == "+819012345678")
        #expect(mobile.presentedCallerID == "+81312345678", "F1 the call center's number, never the customer's")
        #expect(mobile.channels == 2, "F3 customer leg + forwarded leg")
        #expect(mobile.ringTimeoutSeconds == 35)
        #expect(mobile.features == CallFeatures(crmPopup: false, openCti: false, holdCounted: false, holdVisible: true))
        let soft = try #require(Self.offers(r.callOffered("c2", callCenter: "cc1", callerNumber: "+81311112222", at: t)).first?.1)
        #expect(soft.delivery == .softphone && soft.dialNumber == nil && soft.presentedCallerID == "+81311112222")
        #expect(soft.channels == 1 && soft.features == CallFeatures(crmPopup: true, openCti: true, holdCounted: true, holdVisible: true))
        let land = try #require(Self.offers(r.callOffered("c3", callCenter: "cc1", callerNumber: "+81311112222", at: t)).first?.1)
        #expect(land.phoneType == .landline && land.features.holdVisible == false, "T3")
        #expect(r.ledger.inUse == 5)
    }

    @Test("F3 a personal-phone call holds 2 channels from ringing until it ends; the limit is never exceeded")
    func channels() {
        var r = Self.routing(limit: 3, members: ["m1", "m2"], devices: ["m1": Fixtures.mobile, "m2": Fixtures.mobile])
        let t = Fixtures.t0.adding(seconds: 10)
        let first = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        #expect(first.contains(.channelsChanged(ChannelChange(callID: "c1", delta: 1, inUse: 1, limit: 3))))
        #expect(first.contains(.channelsChanged(ChannelChange(callID: "c1", delta: 1, inUse: 2, limit: 3))))
        // Second call: customer leg fits (3), the forward leg does not: it waits.
        let second = r.callOffered("c2", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        #expect(Self.offers(second).isEmpty)
        #expect(second.contains(.callQueued(callID: "c2", callCenterID: "cc1", position: 1, reason: .noChannelForForwardLeg)))
        #expect(r.callOffered("c3", callCenter: "cc1", callerNumber: "+81311112222", at: t)
            == [.callRejected(callID: "c3", reason: .concurrentCallLimitReached)])
        #expect(r.ledger.inUse == 3)
        // c1 ends: its 2 channels come back, c2 gets its forward leg.
        let end = r.callEnded("c1", at: t.adding(seconds: 30))
        #expect(end.first == .channelsChanged(ChannelChange(callID: "c1", delta: -2, inUse: 1, limit: 3)))
        #expect(Self.offers(end).map(\.0) == ["c2"])
        #expect(r.ledger.inUse == 2)
        // Ending twice releases nothing twice; late events for an ended call change nothing.
        _ = r.callEnded("c2", at: t.adding(seconds: 40))
        #expect(r.callEnded("c2", at: t.adding(seconds: 41)).isEmpty)
        #expect(r.ledger.inUse == 0)
        #expect(r.callOffered("c2", callCenter: "cc1", callerNumber: "+81311112222", at: t.adding(seconds: 42))
            == [.callRejected(callID: "c2", reason: .duplicateCall)])
    }

    @Test("F3 a call that cannot get a channel for the forward leg goes to a free softphone agent")
    func softphoneFallback() {
        var r = Self.routing(limit: 1, members: ["m1", "s1"], devices: ["m1": Fixtures.mobile])
        let out = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: Fixtures.t0.adding(seconds: 10))
        #expect(Self.offers(out).map(\.1.accountID) == ["s1"], "m1 is idle longer but has no channel for its forward leg")
        #expect(r.ledger.inUse == 1)
    }

    @Test("F3 a personal phone that does not answer gives its forwarded leg back")
    func forwardLegReleasedOnNoAnswer() {
        var r = Self.routing(limit: 10, members: ["m1", "s1"], devices: ["m1": Fixtures.mobile])
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        #expect(r.ledger.holds("c1") == 2)
        let out = r.tick(now: t.adding(seconds: 35))
        #expect(out.contains(.channelsChanged(ChannelChange(callID: "c1", delta: -1, inUse: 1, limit: 10))))
        #expect(Self.offers(out).map(\.1.accountID) == ["s1"])
        #expect(r.ledger.holds("c1") == 1)
    }

    @Test("A5 after maxNoAnswer consecutive no-answers on an external number the agent is set away")
    func maxNoAnswer() {
        var r = Self.routing(members: ["m1"], devices: ["m1": Fixtures.mobile], maxNoAnswer: 2)
        var t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        t = t.adding(seconds: 35)
        let first = r.tick(now: t)
        #expect(first.contains(.agentNoAnswer(callID: "c1", accountID: "m1", reason: .timeout, consecutive: 1)))
        #expect(Self.offers(first).map(\.1.accountID) == ["m1"], "the only agent is tried again")
        t = t.adding(seconds: 35)
        let second = r.tick(now: t)
        #expect(second.contains(.agentSetAway(accountID: "m1", callCenterID: "cc1", reason: .maxNoAnswer, consecutiveNoAnswers: 2)))
        #expect(Self.offers(second).isEmpty, "not rung again")
        #expect(r.agents["m1"]?.presence == .away)
        // Available again: the count starts over and calls ring again.
        let back = r.presenceChanged("m1", to: .available, at: t.adding(seconds: 5))
        #expect(Self.offers(back).map(\.0) == ["c1"])
        #expect(r.agents["m1"]?.consecutiveNoAnswers == 0)
    }

    @Test("A5 an answer resets the no-answer count; softphone no-answers never set an agent away")
    func answerResets() {
        var r = Self.routing(members: ["m1", "s1"], devices: ["m1": Fixtures.mobile], maxNoAnswer: 2)
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.agentNoAnswer("c1", by: "m1", reason: .rejected, at: t.adding(seconds: 1))  // -> s1
        #expect(r.agents["m1"]?.consecutiveNoAnswers == 1)
        _ = r.agentNoAnswer("c1", by: "s1", reason: .rejected, at: t.adding(seconds: 2))  // -> m1 again
        _ = r.agentAnswered("c1", by: "m1", at: t.adding(seconds: 3))
        #expect(r.agents["m1"]?.consecutiveNoAnswers == 0)
        #expect(r.agents["s1"]?.consecutiveNoAnswers == 0)
        #expect(r.agents["s1"]?.presence == .available)
    }

    @Test("F5 with answer confirmation, an answer without the key in time counts as not answered")
    func answerConfirmation() {
        let confirm = AnswerConfirmation(enabled: true, key: "1", withinSeconds: 5)
        var r = Self.routing(members: ["m1", "m2"], devices: ["m1": Fixtures.mobile, "m2": Fixtures.mobile], confirmation: confirm)
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.agentAnswered("c1", by: "m1", at: t.adding(seconds: 3))  // voicemail picks up, nobody presses 1
        #expect(r.tick(now: t.adding(seconds: 8)).isEmpty)
        let out = r.tick(now: t.adding(seconds: 9))
        #expect(out.contains(.offerCancelled(callID: "c1", accountID: "m1", reason: .answerNotConfirmed)))
        #expect(Self.offers(out).map(\.1.accountID) == ["m2"])
        // m2 confirms with the key: connected, no timeout later.
        _ = r.agentAnswered("c1", by: "m2", at: t.adding(seconds: 12))
        _ = r.keyPressed("1", call: "c1", by: "m2", at: t.adding(seconds: 14))
        #expect(r.calls["c1"]?.phase == .connected("m2"))
        #expect(r.tick(now: t.adding(seconds: 60)).isEmpty)
    }

    @Test("F6 F7 F9 keys on a personal phone become call commands; softphone keys do not")
    func keysBecomeCommands() {
        var r = Self.routing(members: ["m1", "s1"], devices: ["m1": Fixtures.mobile])
        r.configure(Fixtures.account("s1", .agent, ext: "201"))
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.agentAnswered("c1", by: "m1", at: t)
        #expect(r.keyPressed("*", call: "c1", by: "m1", at: t.adding(seconds: 5))
            == [.callCommand(callID: "c1", accountID: "m1", action: .hold)])
        _ = r.keyPressed("0", call: "c1", by: "m1", at: t.adding(seconds: 6))
        #expect(r.tick(now: t.adding(seconds: 9)).isEmpty, "F6 *0 stays on hold")
        _ = r.keyPressed("*", call: "c1", by: "m1", at: t.adding(seconds: 20))
        #expect(r.tick(now: t.adding(seconds: 23)) == [.callCommand(callID: "c1", accountID: "m1", action: .unhold)])
        _ = r.keyPressed("#", call: "c1", by: "m1", at: t.adding(seconds: 30))
        for (i, k) in ["2", "0", "1"].enumerated() { _ = r.keyPressed(k, call: "c1", by: "m1", at: t.adding(seconds: 31 + i)) }
        #expect(r.tick(now: t.adding(seconds: 36))
            == [.callCommand(callID: "c1", accountID: "m1", action: .transfer(.blind, .extension("201", "s1")))])
        // The softphone agent's keys are tones, not commands.
        _ = r.callOffered("c2", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.agentAnswered("c2", by: "s1", at: t)
        #expect(r.keyPressed("*", call: "c2", by: "s1", at: t.adding(seconds: 1)).isEmpty)
    }

    @Test("A1 calls for an unknown call center are refused, not queued forever")
    func unknownCallCenter() {
        var r = Self.routing()
        #expect(r.callOffered("c1", callCenter: "nope", callerNumber: "+81311112222", at: Fixtures.t0)
            == [.callRejected(callID: "c1", reason: .unknownCallCenter)])
        #expect(r.ledger.inUse == 0)
    }
}

@Suite("S4 F9 defence in depth in routing")
struct RoutingDestinationTests {
    @Test("S4 routing never dials a forbidden number, whatever a settings event said: the call goes to the next agent or waits")
    func forbiddenDeviceNeverDialled() throws {
        let premium = SignInDevice.externalNumber(try PhoneNumber.parse("0990-123-456"), .landline)
        let emergency = SignInDevice.externalNumber(try PhoneNumber.parse("110"), .landline)
        let foreign = SignInDevice.externalNumber(try PhoneNumber.parse("+14155550123"), .mobile)
        var r = RoutingStateTests.routing(members: ["p", "e", "f", "s"], devices: ["p": premium, "e": emergency, "f": foreign])
        let t = Fixtures.t0.adding(seconds: 10)
        let first = RoutingStateTests.offers(r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t))
        #expect(first.map(\.1.accountID) == ["s"], "premium, emergency and (for this tenant) foreign numbers are skipped")
        let second = r.callOffered("c2", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        #expect(RoutingStateTests.offers(second).isEmpty, "nobody else may be dialled: the call waits")
        let changes = second.compactMap { if case .channelsChanged(let c) = $0 { c } else { nil } }
        #expect(changes.map(\.delta) == [1], "the caller's channel only: no forward leg for a number never dialled")
    }

    @Test("F9 S4 an extension is never a national, emergency or short service number, configured or resolved")
    func extensions() {
        for bad in ["110", "119", "104", "1000", "0990123456", "0312345678", "09012345678", "00101234", "1x"] {
            #expect(!ForwardingPolicy.isAllowedExtension(bad), "\(bad)")
        }
        for good in ["10", "201", "7000", "2001"] { #expect(ForwardingPolicy.isAllowedExtension(good), "\(good)") }
        let resolver = TransferTargetResolver(extensions: ["110": "x", "0990123456": "y", "201": "z"], allowInternational: false)
        #expect(resolver.resolve("110") == .failure(.forbiddenDestination))
        #expect(resolver.resolve("0990123456") == .failure(.forbiddenDestination))
        #expect(resolver.resolve("201") == .success(.extension("201", "z")))
    }
}
