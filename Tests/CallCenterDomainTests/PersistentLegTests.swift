import CallCenterDomain
import Foundation
import Testing

/// F12 persistent connection (the agent leg) and F15 the announcement before connecting.
@Suite("F12 F15 persistent agent leg and announcement")
struct PersistentLegTests {
    static let caller = "+81311112222"

    /// Members `m1` (mobile, persistent connection) and `s1` (softphone), available one second apart.
    static func routing(limit: Int = 10, idleMinutes: Int? = nil, persistent: Bool = true,
                        callCenter: (inout CallCenter) -> Void = { _ in }) -> RoutingState {
        var r = RoutingState(tenantID: Fixtures.tenantID)
        r.configure(Fixtures.tenant(limit: limit))
        var cc = Fixtures.callCenter("cc1", members: ["m1", "s1"])
        cc.persistentConnection = idleMinutes.map { PersistentConnectionSettings(idleMinutes: $0) }
        callCenter(&cc)
        _ = r.configure(cc, at: Fixtures.t0)
        r.setDevice(Fixtures.mobile, for: "m1", persistentConnection: persistent)
        return r
    }

    static func legOpens(_ out: [RoutingOutput]) -> [LegID] {
        out.compactMap { if case .agentLegOpen(_, let leg, _, _, _) = $0 { leg } else { nil } }
    }

    static func legCloses(_ out: [RoutingOutput]) -> [AgentLegCloseReason] {
        out.compactMap { if case .agentLegClose(_, _, let reason) = $0 { reason } else { nil } }
    }

    @Test("F12 the leg is dialled when the agent becomes available and holds 1 channel; calls are bridged onto it once connected (persistentLeg, 1 channel more: 2 in all)")
    func bridged() throws {
        var r = Self.routing()
        let out = r.presenceChanged("m1", to: .available, at: Fixtures.t0)
        let leg = try #require(Self.legOpens(out).first)
        #expect(out.contains(.agentLegOpen(accountID: "m1", legID: leg, dialNumber: Fixtures.mobile.number!, callCenterID: "cc1",
                                           presentedCallerID: "+81312345678")), "F1: the phone is shown the call center's number")
        #expect(out.contains(.channelsChanged(ChannelChange(legID: leg, delta: 1, inUse: 1, limit: 10))))
        // While the leg is dialled the phone is busy: a call waits for it rather than ringing the phone.
        let t = Fixtures.t0.adding(seconds: 5)
        let waiting = r.callOffered("c1", callCenter: "cc1", callerNumber: Self.caller, at: t)
        #expect(RoutingStateTests.offers(waiting).isEmpty && r.ledger.inUse == 2)
        let connected = r.agentLegConnected(leg, account: "m1", at: t.adding(seconds: 3))
        let plan = try #require(RoutingStateTests.offers(connected).first?.1)
        #expect(plan.delivery == .persistentLeg && plan.legID == leg && plan.channels == 1 && plan.accountID == "m1")
        #expect(r.ledger.inUse == 2, "the leg's channel and the customer's: no forwarded leg of its own")
        #expect(!connected.contains { if case .channelsChanged = $0 { true } else { false } })
        // Answered on the leg: connected at once, even with answer confirmation (no voicemail can take a bridged call).
        _ = r.agentAnswered("c1", by: "m1", at: t.adding(seconds: 4))
        guard case .connected("m1") = r.calls["c1"]?.phase else { Issue.record("not connected"); return }
        // The call ends: the customer's channel goes, the leg stays up for the next call.
        let ended = r.callEnded("c1", at: t.adding(seconds: 60))
        #expect(ended.contains(.channelsChanged(ChannelChange(callID: "c1", delta: -1, inUse: 1, limit: 10))))
        #expect(r.agentLegs["m1"]?.isConnected == true && Self.legCloses(ended).isEmpty && r.ledger.inUse == 1)
    }

    @Test("F12 F5 answer confirmation applies to per-call ringing, not to a call bridged onto the leg")
    func noConfirmationOnLeg() throws {
        var r = Self.routing { $0.answerConfirmation = AnswerConfirmation(enabled: true, key: "1", withinSeconds: 5) }
        let leg = try #require(Self.legOpens(r.presenceChanged("m1", to: .available, at: Fixtures.t0)).first)
        _ = r.agentLegConnected(leg, account: "m1", at: Fixtures.t0.adding(seconds: 2))
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0.adding(seconds: 3))
        _ = r.agentAnswered("c1", by: "m1", at: Fixtures.t0.adding(seconds: 4))
        guard case .connected = r.calls["c1"]?.phase else { Issue.record("awaiting confirmation on a leg"); return }
    }

    @Test("F12 the leg closes when the agent goes away or signs out, but never under a call: after the call ends")
    func closesOnPresence() throws {
        var r = Self.routing()
        let leg = try #require(Self.legOpens(r.presenceChanged("m1", to: .available, at: Fixtures.t0)).first)
        _ = r.agentLegConnected(leg, account: "m1", at: Fixtures.t0.adding(seconds: 1))
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0.adding(seconds: 2))
        _ = r.agentAnswered("c1", by: "m1", at: Fixtures.t0.adding(seconds: 2))
        #expect(Self.legCloses(r.presenceChanged("m1", to: .away, at: Fixtures.t0.adding(seconds: 3))).isEmpty,
                "the customer is on the leg")
        let ended = r.callEnded("c1", at: Fixtures.t0.adding(seconds: 30))
        #expect(Self.legCloses(ended) == [.presence])
        #expect(ended.contains(.channelsChanged(ChannelChange(legID: leg, delta: -1, inUse: 0, limit: 10))))
        #expect(r.agentLegs.isEmpty && r.ledger.inUse == 0 && r.ledger.agentLegs.isEmpty)
        // Available again: a new leg. Signed out: closed at once.
        let again = try #require(Self.legOpens(r.presenceChanged("m1", to: .available, at: Fixtures.t0.adding(seconds: 40))).first)
        #expect(again != leg)
        #expect(Self.legCloses(r.presenceChanged("m1", to: .signedOut, at: Fixtures.t0.adding(seconds: 41))) == [.presence])
        #expect(r.ledger.inUse == 0)
    }

    @Test("F12 a device change closes the leg: a new number gets a new leg at once; the softphone or no persistent connection gets none")
    func closesOnDeviceChange() throws {
        var r = Self.routing()
        let first = try #require(Self.legOpens(r.presenceChanged("m1", to: .available, at: Fixtures.t0)).first)
        let t = Fixtures.t0.adding(seconds: 5)
        let moved = r.changeDevice(Fixtures.ipPhone, for: "m1", revision: 2, persistentConnection: true, at: t)
        #expect(Self.legCloses(moved) == [.deviceChanged])
        let second = try #require(Self.legOpens(moved).first)
        #expect(second != first && r.agentLegs["m1"]?.dialNumber == Fixtures.ipPhone.number && r.ledger.inUse == 1)
        let plain = r.changeDevice(Fixtures.ipPhone, for: "m1", revision: 3, persistentConnection: false, at: t.adding(seconds: 1))
        #expect(Self.legCloses(plain) == [.deviceChanged] && Self.legOpens(plain).isEmpty && r.ledger.inUse == 0)
        _ = r.changeDevice(Fixtures.mobile, for: "m1", revision: 4, persistentConnection: true, at: t.adding(seconds: 2))
        #expect(r.agentLegs["m1"] != nil, "persistent again while available: dialled")
        #expect(Self.legCloses(r.changeDevice(.softphone, for: "m1", revision: 5, persistentConnection: false,
                                              at: t.adding(seconds: 3))) == [.deviceChanged])
        #expect(r.ledger.inUse == 0)
    }

    @Test("F12 after idleMinutes without a customer call the leg closes (idleTimeout), counted from the last call's end; the agent is then rung per call")
    func idleTimeout() throws {
        var r = Self.routing(idleMinutes: 2)
        let leg = try #require(Self.legOpens(r.presenceChanged("m1", to: .available, at: Fixtures.t0)).first)
        _ = r.agentLegConnected(leg, account: "m1", at: Fixtures.t0)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0.adding(seconds: 60))
        _ = r.agentAnswered("c1", by: "m1", at: Fixtures.t0.adding(seconds: 60))
        _ = r.callEnded("c1", at: Fixtures.t0.adding(seconds: 100))
        #expect(Self.legCloses(r.tick(now: Fixtures.t0.adding(seconds: 219))).isEmpty)
        let out = r.tick(now: Fixtures.t0.adding(seconds: 220))
        #expect(Self.legCloses(out) == [.idleTimeout] && r.ledger.inUse == 0)
        #expect(Self.legOpens(r.tick(now: Fixtures.t0.adding(seconds: 300))).isEmpty, "not redialled while still available")
        // The next call rings the phone per call (externalNumber, 2 channels).
        let offered = r.callOffered("c2", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0.adding(seconds: 301))
        #expect(RoutingStateTests.offers(offered).first?.1.delivery == .externalNumber)
    }

    @Test("F12 F3 no free channel: no leg, the agent is rung per call; a failed leg falls back the same way and is redialled only when the agent is next made available")
    func fallback() throws {
        var full = Self.routing(limit: 1)
        _ = full.callOffered("c0", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0)  // holds the only channel
        #expect(Self.legOpens(full.presenceChanged("m1", to: .available, at: Fixtures.t0)).isEmpty)
        #expect(full.ledger.inUse == 1 && full.agentLegs.isEmpty)

        var r = Self.routing()
        let leg = try #require(Self.legOpens(r.presenceChanged("m1", to: .available, at: Fixtures.t0)).first)
        let failed = r.agentLegEnded(leg, account: "m1", failure: .voicemail, at: Fixtures.t0.adding(seconds: 20))
        #expect(failed.contains(.channelsChanged(ChannelChange(legID: leg, delta: -1, inUse: 0, limit: 10))))
        #expect(Self.legOpens(r.tick(now: Fixtures.t0.adding(seconds: 30))).isEmpty, "no redial loop")
        let offered = r.callOffered("c1", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0.adding(seconds: 31))
        #expect(RoutingStateTests.offers(offered).first?.1.delivery == .externalNumber)
        _ = r.callEnded("c1", at: Fixtures.t0.adding(seconds: 32))
        _ = r.presenceChanged("m1", to: .away, at: Fixtures.t0.adding(seconds: 40))
        #expect(Self.legOpens(r.presenceChanged("m1", to: .available, at: Fixtures.t0.adding(seconds: 50))).count == 1)
    }

    @Test("F12 a leg not connected within the dial timeout is closed (dialTimeout); a leg that drops while a call is bridged onto it sends the call to the next agent")
    func dialTimeoutAndDrop() throws {
        var r = Self.routing()
        _ = r.presenceChanged("m1", to: .available, at: Fixtures.t0)
        let out = r.tick(now: Fixtures.t0.adding(seconds: AgentLeg.dialTimeoutSeconds))
        #expect(Self.legCloses(out) == [.dialTimeout] && r.ledger.inUse == 0)

        var d = Self.routing()
        let leg = try #require(Self.legOpens(d.presenceChanged("m1", to: .available, at: Fixtures.t0)).first)
        _ = d.agentLegConnected(leg, account: "m1", at: Fixtures.t0.adding(seconds: 1))
        _ = d.presenceChanged("s1", to: .available, at: Fixtures.t0.adding(seconds: 2))
        _ = d.callOffered("c1", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0.adding(seconds: 3))
        #expect(d.calls["c1"]?.plan?.delivery == .persistentLeg)
        let dropped = d.agentLegEnded(leg, account: "m1", failure: nil, at: Fixtures.t0.adding(seconds: 4))
        #expect(dropped.contains(.offerCancelled(callID: "c1", accountID: "m1", reason: .unreachable)))
        #expect(RoutingStateTests.offers(dropped).first?.1.accountID == "s1")
        #expect(d.ledger.inUse == 1, "the customer's channel only")
        // A stale or unknown leg changes nothing.
        #expect(d.agentLegEnded(leg, account: "m1", failure: nil, at: Fixtures.t0.adding(seconds: 5)).isEmpty)
        #expect(d.agentLegConnected("leg-999", account: "m1", at: Fixtures.t0.adding(seconds: 5)).isEmpty)
    }

    @Test("F12 F16 no leg for an agent whose call centers are all closed to personal phones")
    func closedQueueNoLeg() {
        var r = Self.routing { $0.allowPersonalPhones = false }
        #expect(Self.legOpens(r.presenceChanged("m1", to: .available, at: Fixtures.t0)).isEmpty && r.ledger.inUse == 0)
    }

    @Test("F12 states stored before agent legs decode with none")
    func oldState() throws {
        let r = Self.routing()
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
        for key in ["persistentConnections", "agentLegs", "legsHeldBack", "nextLegNumber"] { json[key] = nil }
        var ledger = json["ledger"] as! [String: Any]
        ledger["agentLegs"] = nil
        json["ledger"] = ledger
        let decoded = try JSONDecoder().decode(RoutingState.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded.agentLegs.isEmpty && decoded.persistentConnections.isEmpty && decoded.ledger.agentLegs.isEmpty)
    }

    @Test("F12 S2 the persistent connection is an option of external numbers on all four screens, applied with the persistentConnectionCost warning; refused with the softphone; a change without it clears it")
    func settingsOption() throws {
        var registry = SettingsRegistryTests.registry()
        let persistent = DeviceRequest(kind: .externalNumber, number: "090-1234-5678", persistentConnection: true)
        let screens: [(SettingsScreen, String, String?, String)] = [
            (.account, "admin", nil, "agentA"), (.myAccount, "agentA", nil, "agentA"),
            (.callCenterOperations, "sup", "cc1", "agentA"), (.realtimeMonitor, "sup", "cc1", "agentA")]
        for (i, (screen, actor, cc, target)) in screens.enumerated() {
            let (outcome, _) = registry.handle(SettingsRegistryTests.request("p\(i)", actor: actor, screen: screen, cc: cc, target: target,
                                                                               device: persistent), at: Fixtures.t0.adding(seconds: i))
            guard case .applied(let change) = outcome else { Issue.record("\(screen): \(outcome)"); continue }
            #expect(change.persistentConnection == true && change.warnings.contains { $0.code == .persistentConnectionCost }, "\(screen)")
            #expect(registry.hasPersistentConnection("agentA"))
        }
        let (refused, _) = registry.handle(SettingsRegistryTests.request(
            "soft", actor: "admin", screen: .account, target: "agentB",
            device: DeviceRequest(kind: .softphone, persistentConnection: true)), at: Fixtures.t0.adding(seconds: 10))
        guard case .rejected(_, let why, _) = refused else { Issue.record("applied"); return }
        #expect(why.reason == .invalidRequest)
        let (plain, _) = registry.handle(SettingsRegistryTests.request("plain", actor: "admin", screen: .account, target: "agentA"),
                                         at: Fixtures.t0.adding(seconds: 11))
        guard case .applied(let change) = plain else { Issue.record("\(plain)"); return }
        #expect(change.persistentConnection == nil && !change.warnings.contains { $0.code == .persistentConnectionCost })
        #expect(!registry.hasPersistentConnection("agentA"))
    }

    @Test("F12 T1 the status board shows legConnected whichever of routing's open command and the telephony layer's connected it reads first; a stale end changes nothing")
    func boardLegConnected() throws {
        var board = AgentStatusBoard(tenantID: Fixtures.tenantID)
        _ = board.presenceChanged("m1", to: .available, at: Fixtures.t0)
        #expect(board.agentLegOpened("leg-1", for: "m1", at: Fixtures.t0)?.legConnected == false)
        #expect(board.agentLegConnected("leg-1", for: "m1", at: Fixtures.t0)?.legConnected == true)
        #expect(board.agentLegEnded("leg-0", for: "m1", at: Fixtures.t0) == nil, "another leg's end")
        #expect(board.agentLegEnded("leg-1", for: "m1", at: Fixtures.t0)?.legConnected == false)
        // Connected read before the command: it stays connected when the command comes.
        #expect(board.agentLegConnected("leg-2", for: "m1", at: Fixtures.t0)?.legConnected == true)
        #expect(board.agentLegOpened("leg-2", for: "m1", at: Fixtures.t0) == nil && board.entry("m1")?.legConnected == true)
        #expect(board.agentLegOpened("leg-9", for: "nobody", at: Fixtures.t0) == nil, "unknown agents are not added")
    }

    @Test("F15 deliveries to personal phones carry the announcement: call center name, seconds waited, the caller's last four digits only with includeCallerNumber; softphones get none")
    func announcement() throws {
        var r = Self.routing(persistent: false) { $0.agentAnnouncement = AgentAnnouncement(enabled: true) }
        _ = r.presenceChanged("m1", to: .available, at: Fixtures.t0)
        _ = r.presenceChanged("s1", to: .available, at: Fixtures.t0.adding(seconds: 1))
        _ = r.presenceChanged("m1", to: .away, at: Fixtures.t0.adding(seconds: 2))
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0.adding(seconds: 3))
        #expect(r.calls["c1"]?.plan?.accountID == "s1" && r.calls["c1"]?.plan?.announcement == nil, "softphone: nothing")
        _ = r.callOffered("c2", callCenter: "cc1", callerNumber: Self.caller, at: Fixtures.t0.adding(seconds: 4))
        let offered = r.presenceChanged("m1", to: .available, at: Fixtures.t0.adding(seconds: 16))
        let plan = try #require(RoutingStateTests.offers(offered).first?.1)
        #expect(plan.accountID == "m1" && plan.announcement == DeliveryAnnouncement(callCenterName: "Center cc1", waitedSeconds: 12))
        let withNumber = try #require(DeliveryAnnouncement.make(
            callCenter: Fixtures.callCenter("x", members: []).with { $0.agentAnnouncement = AgentAnnouncement(enabled: true, includeCallerNumber: true) },
            callerNumber: "+81 3-1111-2222", arrivedAt: Fixtures.t0, now: Fixtures.t0.adding(milliseconds: 999)))
        #expect(withNumber.callerNumberLast4 == "2222" && withNumber.waitedSeconds == 0)
        #expect(DeliveryAnnouncement.make(callCenter: Fixtures.callCenter("x", members: []), callerNumber: Self.caller,
                                          arrivedAt: Fixtures.t0, now: Fixtures.t0) == nil, "not enabled")
        #expect(DeliveryAnnouncement.make(
            callCenter: Fixtures.callCenter("x", members: []).with { $0.agentAnnouncement = AgentAnnouncement(enabled: true, includeCallerNumber: true) },
            callerNumber: "anonymous", arrivedAt: Fixtures.t0, now: Fixtures.t0)?.callerNumberLast4 == nil, "no digits to say")
    }
}

extension CallCenter {
    func with(_ change: (inout CallCenter) -> Void) -> CallCenter {
        var copy = self
        change(&copy)
        return copy
    }
}
