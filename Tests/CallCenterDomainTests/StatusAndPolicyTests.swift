import Foundation
import CallCenterDomain
import Testing

@Suite("T, M, F2 and P rules")
struct StatusAndPolicyTests {
    static func board(_ device: SignInDevice) -> AgentStatusBoard {
        var b = AgentStatusBoard(tenantID: Fixtures.tenantID)
        b.configure(Fixtures.callCenter("cc1", members: ["a"], wrapUp: 30))
        _ = b.setDevice(device, for: "a", at: Fixtures.t0)
        _ = b.presenceChanged("a", to: .available, at: Fixtures.t0)
        return b
    }

    @Test("T1 status is tracked for agents on external numbers: available, ringing, talking, on hold, wrap-up")
    func lifecycle() {
        var b = Self.board(Fixtures.mobile)
        #expect(b.entry("a")?.status == .available)
        #expect(b.offered("c1", callCenter: "cc1", to: "a", features: .for(Fixtures.mobile), at: Fixtures.t0)?.status == .ringing)
        #expect(b.answered("c1", by: "a", at: Fixtures.t0.adding(seconds: 5))?.status == .talking)
        #expect(b.holdChanged("c1", account: "a", held: true, at: Fixtures.t0.adding(seconds: 9))?.status == .onHold)
        #expect(b.holdChanged("c1", account: "a", held: false, at: Fixtures.t0.adding(seconds: 12))?.status == .talking)
        #expect(b.callEnded("c1", at: Fixtures.t0.adding(seconds: 60)).first?.status == .wrapUp)
        #expect(b.tick(now: Fixtures.t0.adding(seconds: 90)).first?.status == .available)
        #expect(b.presenceChanged("a", to: .signedOut, at: Fixtures.t0.adding(seconds: 100))?.status == .signedOut)
    }

    @Test("T1 a hang-up releases exactly the agents on that call and due wrap-ups end, each in account order")
    func manyAgents() {
        var b = AgentStatusBoard(tenantID: Fixtures.tenantID)
        let agents = (0..<40).map { "a\(($0 * 7) % 40)" }  // configured out of order
        b.configure(Fixtures.callCenter("cc1", members: agents, wrapUp: 30))
        for a in agents { _ = b.presenceChanged(a, to: .available, at: Fixtures.t0) }
        for a in ["a5", "a31", "a12"] {
            _ = b.offered("c1", callCenter: "cc1", to: a, features: .for(Fixtures.mobile), at: Fixtures.t0)
            _ = b.answered("c1", by: a, at: Fixtures.t0.adding(seconds: 1))
        }
        _ = b.offered("c2", callCenter: "cc1", to: "a20", features: .for(Fixtures.mobile), at: Fixtures.t0)
        let ended = b.callEnded("c1", at: Fixtures.t0.adding(seconds: 60))
        #expect(ended.map(\.accountID) == ["a12", "a31", "a5"])
        #expect(ended.allSatisfy { $0.status == .wrapUp })
        #expect(b.entry("a20")?.status == .ringing)
        #expect(b.tick(now: Fixtures.t0.adding(seconds: 89)).isEmpty)
        #expect(b.tick(now: Fixtures.t0.adding(seconds: 90)).map(\.accountID) == ["a12", "a31", "a5"])
        #expect(b.entry("a20")?.status == .ringing)
    }

    @Test("T1 a hang-up handled before its offer (a tie across topics) leaves nothing behind once the agent rings again")
    func hangUpBeforeOffer() throws {
        var b = Self.board(Fixtures.mobile)
        let fresh = try JSONEncoder().encode(b).count
        for i in 0..<1_000 {
            _ = b.callEnded("c\(i)", at: Fixtures.t0.adding(seconds: i))
            _ = b.offered("c\(i)", callCenter: "cc1", to: "a", features: .for(Fixtures.mobile), at: Fixtures.t0.adding(seconds: i))
        }
        // The agent shows the last stale offer until its next call; nothing per call is kept (it grew without bound).
        #expect(b.entry("a")?.callID == "c999")
        #expect(try JSONEncoder().encode(b).count < fresh + 200)
        _ = b.offered("d1", callCenter: "cc1", to: "a", features: .for(Fixtures.mobile), at: Fixtures.t0.adding(seconds: 2_000))
        _ = b.answered("d1", by: "a", at: Fixtures.t0.adding(seconds: 2_001))
        #expect(b.callEnded("d1", at: Fixtures.t0.adding(seconds: 2_060)).first?.wrapUpUntil == Fixtures.t0.adding(seconds: 2_090))
    }

    @Test("T1 a board stored by an earlier version (a map of calls to call centers) keeps the wrap-up of calls in progress")
    func legacyBoard() throws {
        var b = Self.board(Fixtures.mobile)
        _ = b.offered("c1", callCenter: "cc1", to: "a", features: .for(Fixtures.mobile), at: Fixtures.t0)
        _ = b.answered("c1", by: "a", at: Fixtures.t0.adding(seconds: 5))
        // As the earlier version wrote it: no call center in the entry, a map beside the entries.
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(b)) as! [String: Any]
        var entries = json["entries"] as! [String: Any]
        var entry = entries["a"] as! [String: Any]
        entry["callCenterID"] = nil
        entries["a"] = entry
        json["entries"] = entries
        json["accountsOnCall"] = nil
        json["callCenterOfCall"] = ["c1": "cc1", "old": "cc1"]
        var restored = try JSONDecoder().decode(AgentStatusBoard.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(restored.entry("a")?.callCenterID == "cc1")
        #expect(restored.callEnded("c1", at: Fixtures.t0.adding(seconds: 60)).first?.wrapUpUntil == Fixtures.t0.adding(seconds: 90))
        #expect(!String(decoding: try JSONEncoder().encode(restored), as: UTF8.self).contains("callCenterOfCall"))
    }

    @Test("T2 holds of calls on personal phones are not counted in the hold count; softphone holds are")
    func holdCount() {
        var ext = Self.board(Fixtures.mobile)
        _ = ext.offered("c1", callCenter: "cc1", to: "a", features: .for(Fixtures.mobile), at: Fixtures.t0)
        _ = ext.answered("c1", by: "a", at: Fixtures.t0)
        _ = ext.holdChanged("c1", account: "a", held: true, at: Fixtures.t0)
        #expect(ext.holdCount(of: ["a"]) == 0)
        var soft = Self.board(.softphone)
        _ = soft.offered("c1", callCenter: "cc1", to: "a", features: .for(.softphone), at: Fixtures.t0)
        _ = soft.answered("c1", by: "a", at: Fixtures.t0)
        _ = soft.holdChanged("c1", account: "a", held: true, at: Fixtures.t0)
        _ = soft.holdChanged("c1", account: "a", held: false, at: Fixtures.t0.adding(seconds: 1))
        _ = soft.holdChanged("c1", account: "a", held: true, at: Fixtures.t0.adding(seconds: 2))
        #expect(soft.holdCount(of: ["a"]) == 2)
    }

    @Test("T3 an agent on a landline never shows on hold during its calls, only talking")
    func landlineNoHold() {
        var b = Self.board(Fixtures.landline)
        _ = b.offered("c1", callCenter: "cc1", to: "a", features: .for(Fixtures.landline), at: Fixtures.t0)
        _ = b.answered("c1", by: "a", at: Fixtures.t0)
        _ = b.holdChanged("c1", account: "a", held: true, at: Fixtures.t0.adding(seconds: 3))
        #expect(b.entry("a")?.status == .talking)
        #expect(b.entry("a")?.held == true)
        #expect(b.holdCount(of: ["a"]) == 0)
    }

    @Test("T4 dialling an agent on an external number from the seat view is no extension call")
    func seatView() {
        #expect(SeatViewCallLabel.labels(calleeDevice: Fixtures.mobile) == (.outboundCall, .externalCall))
        #expect(SeatViewCallLabel.labels(calleeDevice: Fixtures.landline) == (.outboundCall, .externalCall))
        #expect(SeatViewCallLabel.labels(calleeDevice: .softphone) == (.extensionCall, .extensionCall))
    }

    @Test("M1 a supervisor can monitor and whisper a call on a personal phone")
    func monitorPersonalPhoneCall() {
        let sup = Fixtures.account("sup", .supervisor), agent = Fixtures.account("agent", .agent)
        #expect((try? MonitorPolicy.decide(supervisor: sup, supervisorDevice: .softphone, target: agent, targetOnCall: true).get()) != nil)
    }

    @Test("M2 monitoring or whisper cannot be started from a personal phone")
    func noMonitorFromPersonalPhone() {
        let sup = Fixtures.account("sup", .supervisor), agent = Fixtures.account("agent", .agent)
        #expect(throws: MonitorPolicy.Refusal.supervisorOnPersonalPhone) {
            try MonitorPolicy.decide(supervisor: sup, supervisorDevice: Fixtures.mobile, target: agent, targetOnCall: true).get()
        }
        #expect(throws: MonitorPolicy.Refusal.permissionDenied) {
            try MonitorPolicy.decide(supervisor: agent, supervisorDevice: .softphone, target: sup, targetOnCall: true).get()
        }
        #expect(throws: MonitorPolicy.Refusal.unknownAccount) {
            try MonitorPolicy.decide(supervisor: Fixtures.account("x", .supervisor, tenant: "other"), supervisorDevice: .softphone,
                                     target: agent, targetOnCall: true).get()
        }
    }

    @Test("F2 a personal phone cannot call out with the platform's number; callback dialing can, from 3.2.0 with the option")
    func callback() throws {
        let cc = Fixtures.callCenter("cc1", members: ["a"])
        #expect(throws: OutboundPolicy.Refusal.personalPhoneCannotPresentPlatformNumber) {
            try OutboundPolicy.decide(agentDevice: Fixtures.mobile, via: .direct, to: "0311112222", tenant: Fixtures.tenant(), callCenter: cc).get()
        }
        let ok = try OutboundPolicy.decide(agentDevice: Fixtures.mobile, via: .callbackDialing, to: "0311112222",
                                           tenant: Fixtures.tenant(), callCenter: cc).get()
        #expect(ok.presentedCallerID == cc.externalNumber && ok.channels == 2)
        #expect(throws: OutboundPolicy.Refusal.platformVersionTooOld) {
            try OutboundPolicy.decide(agentDevice: Fixtures.mobile, via: .callbackDialing, to: "0311112222",
                                      tenant: Fixtures.tenant(version: "3.1.9"), callCenter: cc).get()
        }
        #expect(throws: OutboundPolicy.Refusal.callbackDialingNotContracted) {
            try OutboundPolicy.decide(agentDevice: Fixtures.mobile, via: .callbackDialing, to: "0311112222",
                                      tenant: Fixtures.tenant(callback: false), callCenter: cc).get()
        }
        #expect(throws: OutboundPolicy.Refusal.forbiddenDestination) {
            try OutboundPolicy.decide(agentDevice: .softphone, via: .direct, to: "110", tenant: Fixtures.tenant(), callCenter: cc).get()
        }
        #expect(PlatformVersion("3.10.0")! > PlatformVersion("3.2.0")!)
        #expect(PlatformVersion("3.2")! == PlatformVersion("3.2.0")!)
    }

    @Test("P1 reports do not count holds of calls on personal phones")
    func reportHolds() {
        #expect(ReportRules.countsHold(device: .softphone))
        #expect(!ReportRules.countsHold(device: .externalNumber))
    }

    @Test("P2 the outbound report counts personal-phone calls only when made by callback dialing")
    func reportOutbound() {
        #expect(ReportRules.countsOutbound(device: .externalNumber, via: .callbackDialing))
        #expect(!ReportRules.countsOutbound(device: .externalNumber, via: .direct))
        #expect(ReportRules.countsOutbound(device: .softphone, via: .direct))
    }

    @Test("P3 charges: answer to hang-up, whole billing increments rounded up, rate by phone type", arguments: [
        // talk ms, type, billed s, sen — worked by hand with 30 s increments:
        (Int64(0), PhoneType.mobile, 0, 0),
        (1, .mobile, 30, 825),            // 1 ms → 1 s → 30 s; 30 × 1650 / 60 = 825 sen
        (30_000, .mobile, 30, 825),
        (30_001, .mobile, 60, 1650),      // 31 s → 60 s → ¥16.50
        (95_000, .landline, 120, 1760),   // 95 s → 120 s; 120 × 880 / 60 = 1760 sen
        (61_000, .ipPhone, 90, 1200),     // 61 s → 90 s; 90 × 800 / 60 = 1200 sen
    ])
    func charges(ms: Int64, type: PhoneType, billed: Int, sen: Int) {
        let c = ChargeCalculator.charge(talkMilliseconds: ms, phoneType: type, rates: Fixtures.rates)
        #expect(c.billedSeconds == billed)
        #expect(c.sen == sen)
        #expect(c.yen == Double(sen) / 100)
    }

    @Test("P3 a fractional sen is rounded up")
    func chargeRounding() {
        let rates = ChargeRates(mobileYenPerMinute: 10.01, landlineYenPerMinute: 0, ipPhoneYenPerMinute: 0, billingIncrementSeconds: 1)
        // 7 s × 1001 sen / 60 = 116.78 → 117 sen
        #expect(ChargeCalculator.charge(talkMilliseconds: 7_000, phoneType: .mobile, rates: rates).sen == 117)
    }

    @Test("P4 channel usage over time: peak, time at the limit, refused calls")
    func usageTimeline() {
        var u = ChannelUsageTimeline()
        let t = Fixtures.t0
        u.record(inUse: 1, limit: 3, at: t)
        u.record(inUse: 3, limit: 3, at: t.adding(seconds: 10))
        u.recordRefusal()
        u.record(inUse: 2, limit: 3, at: t.adding(seconds: 25))
        u.record(inUse: 3, limit: 3, at: t.adding(seconds: 50))
        #expect(u.peak(from: t, to: t.adding(seconds: 60)) == 3)
        #expect(u.peak(from: t.adding(seconds: 26), to: t.adding(seconds: 49)) == 2)
        // At the limit from 10 to 25 and from 50 to 60.
        #expect(u.millisecondsAtLimit(from: t, to: t.adding(seconds: 60)) == 25_000)
        #expect(u.refusedCalls == 1)
    }
}
