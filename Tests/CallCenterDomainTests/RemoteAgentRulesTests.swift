import CallCenterDomain
import Testing

/// F13 decline key, F14 voicemail detected, F16 queues closed to personal phones.
@Suite("F13 F14 F16 remote-agent rules")
struct RemoteAgentRulesTests {
    static let confirm = AnswerConfirmation(enabled: true, key: "1", withinSeconds: 5, declineKey: "9")

    static func noAnswers(_ out: [RoutingOutput]) -> [RoutingOutput] {
        out.filter { if case .agentNoAnswer = $0 { true } else if case .agentSetAway = $0 { true } else { false } }
    }

    @Test("F13 the decline key cancels the offer (declined) and offers the call to the next agent at once; not a no-answer (A5)")
    func declineKey() {
        var r = RoutingStateTests.routing(members: ["m1", "m2"], devices: ["m1": Fixtures.mobile, "m2": Fixtures.mobile],
                                          confirmation: Self.confirm, maxNoAnswer: 1)
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.agentAnswered("c1", by: "m1", at: t.adding(seconds: 2))
        let inUse = r.ledger.inUse
        let out = r.keyPressed("9", call: "c1", by: "m1", at: t.adding(seconds: 3))
        #expect(out.first == .offerCancelled(callID: "c1", accountID: "m1", reason: .declined))
        #expect(RoutingStateTests.offers(out).map(\.1.accountID) == ["m2"], "offered to the next agent at once")
        #expect(Self.noAnswers(out).isEmpty, "no agent-no-answer, and m1 is not set away even with maxNoAnswer 1")
        #expect(r.agents["m1"]?.presence == .available && r.agents["m1"]?.consecutiveNoAnswers == 0)
        #expect(r.ledger.inUse == inUse, "m1's forwarded leg released, m2's taken: F3 unchanged")
        // The decline key after the confirmation deadline, or without one configured, does nothing.
        _ = r.agentAnswered("c1", by: "m2", at: t.adding(seconds: 4))
        #expect(r.keyPressed("9", call: "c1", by: "m2", at: t.adding(seconds: 10)).isEmpty)
    }

    @Test("F14 voicemail detected on the forwarded leg: the offer is cancelled (voicemail), the call offered to the next agent, and it counts toward A5")
    func voicemail() {
        var r = RoutingStateTests.routing(members: ["m1", "m2"], devices: ["m1": Fixtures.mobile, "m2": Fixtures.mobile],
                                          maxNoAnswer: 1)
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)
        _ = r.agentAnswered("c1", by: "m1", at: t.adding(seconds: 2))  // the machine answered
        let out = r.voicemailDetected("c1", by: "m1", at: t.adding(seconds: 4))
        #expect(out.first == .offerCancelled(callID: "c1", accountID: "m1", reason: .voicemail))
        #expect(out.contains(.agentNoAnswer(callID: "c1", accountID: "m1", reason: .voicemail, consecutive: 1)))
        #expect(out.contains(.agentSetAway(accountID: "m1", callCenterID: "cc1", reason: .maxNoAnswer, consecutiveNoAnswers: 1)))
        #expect(RoutingStateTests.offers(out).map(\.1.accountID) == ["m2"])
        #expect(r.voicemailDetected("c1", by: "m1", at: t.adding(seconds: 5)).isEmpty, "m1 no longer has the call")
    }

    @Test("F14 a voicemail report for a softphone delivery or another agent's call changes nothing")
    func voicemailIgnored() {
        var r = RoutingStateTests.routing(members: ["s1", "m1"], devices: ["m1": Fixtures.mobile])
        let t = Fixtures.t0.adding(seconds: 10)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: t)  // s1, idle longest, softphone
        #expect(r.voicemailDetected("c1", by: "s1", at: t).isEmpty)
        #expect(r.voicemailDetected("c1", by: "m1", at: t).isEmpty)
    }

    @Test("F16 a queue closed to personal phones is delivered to softphones only; with none free the call waits")
    func closedQueue() {
        var r = RoutingState(tenantID: Fixtures.tenantID)
        r.configure(Fixtures.tenant(limit: 10))
        var closed = Fixtures.callCenter("pay", members: ["m1", "s1"])
        closed.allowPersonalPhones = false
        _ = r.configure(closed, at: Fixtures.t0)
        r.setDevice(Fixtures.mobile, for: "m1")
        _ = r.presenceChanged("m1", to: .available, at: Fixtures.t0)  // idle longest, but on a mobile
        _ = r.presenceChanged("s1", to: .available, at: Fixtures.t0.adding(seconds: 1))
        let t = Fixtures.t0.adding(seconds: 10)
        let first = r.callOffered("c1", callCenter: "pay", callerNumber: "+81311112222", at: t)
        #expect(RoutingStateTests.offers(first).map(\.1.accountID) == ["s1"])
        let second = r.callOffered("c2", callCenter: "pay", callerNumber: "+81311112222", at: t)
        #expect(RoutingStateTests.offers(second).isEmpty, "m1 is free but on a personal phone: the call waits")
        #expect(second.contains { if case .callQueued = $0 { true } else { false } })
        #expect(r.ledger.inUse == 2, "only the two customer legs")
    }

    @Test("F16 changing a member of a closed queue to an external number warns personalPhonesNotAllowed naming those call centers")
    func closedQueueWarning() throws {
        var closed = Fixtures.callCenter("pay", members: ["a1"])
        closed.allowPersonalPhones = false
        let open = Fixtures.callCenter("sales", members: ["a1"])
        let warnings = DeviceChangeAdvice.warnings(for: Fixtures.mobile, callCenters: [open, closed])
        let w = try #require(warnings.first { $0.code == .personalPhonesNotAllowed })
        #expect(w.callCenterIDs == ["pay"] && w.message.contains("Center pay"))
        #expect(!DeviceChangeAdvice.warnings(for: Fixtures.mobile, callCenters: [open]).contains { $0.code == .personalPhonesNotAllowed })
        #expect(DeviceChangeAdvice.warnings(for: .softphone, callCenters: [closed]).isEmpty)
    }
}
