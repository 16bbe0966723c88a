import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// routing-service as a real process, through Kafka (A, F, M2, T4).
@Suite("routing-service through Kafka", .serialized)
struct RoutingServiceTests {
    static let t0 = TestEvents.t0
    static func at(_ s: Int) -> EventTime { EventTime(t0.adding(seconds: s)) }

    /// Configures `tenant` with the given members of cc1 (devices by account) and waits until routing applied it.
    static func setUp(_ h: ServiceHarness, tenant: String = "tenant-a", limit: Int, members: [String: SignInDevice],
                      order: [String]) async throws {
        let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8, billingIncrementSeconds: 30)
        var config: [any EventPayload] = [ConfigEvents.TenantConfigured(Tenant(
            id: tenant, concurrentCallLimit: limit, platformVersion: PlatformVersion("3.2.0")!, callbackDialingOption: true,
            allowInternationalForwarding: false, rates: rates))]
        for (i, id) in order.enumerated() {
            config.append(ConfigEvents.AccountConfigured(Account(id: id, tenantID: tenant, name: id,
                                                                 role: id.hasPrefix("sup") ? .supervisor : .agent,
                                                                 extension: "\(300 + i)")))
        }
        config.append(ConfigEvents.CallCenterConfigured(CallCenter(
            id: "cc1", tenantID: tenant, name: "Support", externalNumber: "03-9999-0000", noAnswerTimeoutSeconds: 35,
            wrapUpSeconds: 30, memberAccountIDs: order)))
        try await h.publish("cc.config", tenant: tenant, config)
        let changes: [any EventPayload] = order.compactMap { id in
            guard let d = members[id], d != .softphone else { return nil }
            return SettingsEvents.Changed(DeviceChange(requestID: "r-\(id)", accountID: id, previous: .softphone, current: d,
                                                       actorAccountID: id, screen: .myAccount, callCenterID: nil, warnings: [],
                                                       disabledFeatures: [.crmPopup, .openCti], at: t0))
        }
        try await h.publish("cc.settings.events", tenant: tenant, changes)
        let routing = try #require(h.services["routing-service"])
        let externals = members.filter { $0.value.isExternal }.count
        try await eventually("configuration and devices applied") {
            let body = await routing.get("/api/agents?tenant=\(tenant)")?.body ?? ""
            return body.components(separatedBy: "externalNumber").count - 1 == externals
                && order.allSatisfy { body.contains("\"\($0)\"") }
        }
        // Available one second apart, in order: the first has been idle longest.
        try await h.publish("cc.telephony.events", tenant: tenant, order.enumerated().map { i, id in
            TelephonyEvents.PresenceChanged(accountId: id, presence: .available, at: at(i)) })
    }

    static let mobile = SignInDevice.externalNumber(try! PhoneNumber.parse("090-1234-5678"), .mobile)
    static let landline = SignInDevice.externalNumber(try! PhoneNumber.parse("06-1234-5678"), .landline)

    static func commands(_ events: [DecodedEvent]) -> [String] {
        events.compactMap { e in
            switch e.event {
            case .hold: "hold"
            case .unhold: "unhold"
            case .park: "park"
            case .transfer(let t): "transfer \(t.mode.rawValue) \(t.target)"
            case .dtmfRejected(let r): "rejected \(r.keys)"
            default: nil
            }
        }
    }

    @Test("F1 F3 A4 F6 F8 F9 a call rings a mobile agent, is held with *0, released with *, a stray # releases, # + number transfers")
    func personalPhoneCall() async throws {
        let h = try ServiceHarness()
        try await h.start("routing-service")
        try await Self.setUp(h, limit: 10, members: ["m1": Self.mobile, "s1": .softphone], order: ["m1", "s1"])
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222",
                                        dialedNumber: "+81399990000", at: Self.at(10)),
        ])
        let decisions = try await h.read("cc.routing.decisions") { $0.contains { if case .offeredToAgent = $0.event { true } else { false } } }
        guard case .offeredToAgent(let offer) = try #require(decisions.first { if case .offeredToAgent = $0.event { true } else { false } }).event
        else { return }
        #expect(offer.accountId == "m1" && offer.delivery == .externalNumber && offer.dialNumber == "+819012345678")
        #expect(offer.presentedCallerId == "+81399990000", "F1 the call center's number, not the customer's")
        #expect(offer.channels == 2, "F3")
        #expect(offer.ringTimeoutSeconds == 35)
        #expect(offer.features == RoutingEvents.Features(CallFeatures(crmPopup: false, openCti: false, holdCounted: false, holdVisible: true)))
        var keys: [any EventPayload] = [TelephonyEvents.AgentAnswered(callId: "c1", accountId: "m1", at: Self.at(15))]
        func press(_ s: String, from second: Int) { for (i, k) in s.enumerated() {
            keys.append(TelephonyEvents.Dtmf(callId: "c1", accountId: "m1", key: String(k), at: Self.at(second + i))) } }
        press("*0", from: 20); keys.append(TelephonyEvents.ClockTick(at: Self.at(26)))     // F6 hold, stays held
        press("*", from: 30); keys.append(TelephonyEvents.ClockTick(at: Self.at(34)))      // F6 release
        press("#", from: 40); keys.append(TelephonyEvents.ClockTick(at: Self.at(44)))      // F8 stray #
        press("#0312345678", from: 50); keys.append(TelephonyEvents.ClockTick(at: Self.at(65)))  // F9 blind transfer
        keys.append(TelephonyEvents.CallEnded(callId: "c1", at: Self.at(100)))
        try await h.publish("cc.telephony.events", tenant: "tenant-a", keys)
        let commands = try await h.read("cc.call.commands") { Self.commands($0).count >= 6 }
        #expect(Self.commands(commands) == ["hold", "unhold", "hold", "unhold", "hold", "transfer blind +81312345678"])
        let usage = try await h.read("cc.usage") { $0.count >= 3 }
        let changes = usage.compactMap { e -> StatusEvents.ChannelsChanged? in if case .channelsChanged(let c) = e.event { c } else { nil } }
        #expect(changes.map(\.delta) == [1, 1, -2] && changes.last?.inUse == 0, "F3 two channels until the call ends")
        await h.stopAll()
    }

    @Test("F3 a tenant with limit 3 receiving 10 simultaneous calls never uses more than 3 channels")
    func channelLimit() async throws {
        let h = try ServiceHarness()
        try await h.start("routing-service")
        try await Self.setUp(h, limit: 3, members: ["m1": Self.mobile, "m2": Self.landline, "s1": .softphone, "s2": .softphone],
                             order: ["m1", "m2", "s1", "s2"])
        try await h.publish("cc.telephony.events", tenant: "tenant-a", (0..<10).map {
            TelephonyEvents.CallOffered(callId: "c\($0)", callCenterId: "cc1", callerNumber: "+81311112222",
                                        dialedNumber: "+81399990000", at: Self.at(10)) })
        let decisions = try await h.read("cc.routing.decisions") { events in
            events.filter { if case .callRejected = $0.event { true } else if case .callQueued = $0.event { true }
                            else if case .offeredToAgent = $0.event { true } else { false } }.count >= 10 }
        let rejected = decisions.filter { if case .callRejected(let r) = $0.event { r.reason == .concurrentCallLimitReached } else { false } }
        // c0 rings the mobile agent (2 channels); c1 takes the last channel and, with none left for a
        // forwarded leg, goes to a softphone agent; the other 8 are refused at the limit.
        #expect(rejected.count == 8)
        let offers = decisions.compactMap { e -> String? in
            if case .offeredToAgent(let o) = e.event { "\(o.callId)->\(o.accountId)" } else { nil } }
        #expect(offers == ["c0->m1", "c1->s1"])
        try await h.publish("cc.telephony.events", tenant: "tenant-a", (0..<10).map {
            TelephonyEvents.CallEnded(callId: "c\($0)", at: Self.at(60)) })
        let usage = try await h.read("cc.usage") { events in
            let c = events.compactMap { e -> StatusEvents.ChannelsChanged? in if case .channelsChanged(let c) = e.event { c } else { nil } }
            return c.count >= 2 && c.last?.inUse == 0 && c.reduce(0) { $0 + $1.delta } == 0
        }
        let changes = usage.compactMap { e -> StatusEvents.ChannelsChanged? in if case .channelsChanged(let c) = e.event { c } else { nil } }
        #expect(changes.allSatisfy { $0.inUse <= 3 && $0.limit == 3 })
        #expect(changes.map(\.inUse).max() == 3)
        #expect(changes.last?.inUse == 0)
        await h.stopAll()
    }

    @Test("A2 A5 ring timeouts from clock ticks re-offer, and three no-answers on a personal phone set the agent away")
    func timeouts() async throws {
        let h = try ServiceHarness()
        try await h.start("routing-service")
        try await Self.setUp(h, limit: 10, members: ["m1": Self.mobile], order: ["m1"])
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81399990000", at: Self.at(10)),
            TelephonyEvents.ClockTick(at: Self.at(45)), TelephonyEvents.ClockTick(at: Self.at(80)), TelephonyEvents.ClockTick(at: Self.at(115)),
        ])
        let decisions = try await h.read("cc.routing.decisions") { events in
            events.contains { if case .agentNoAnswerRecorded(let n) = $0.event { n.setAway } else { false } } }
        let cancelled = decisions.filter { if case .offerCancelled(let c) = $0.event { c.reason == .timeout } else { false } }
        #expect(cancelled.count == 3)
        let away = decisions.compactMap { e -> RoutingEvents.AgentNoAnswerRecorded? in
            if case .agentNoAnswerRecorded(let n) = e.event, n.setAway { n } else { nil } }
        #expect(away.first?.consecutiveNoAnswers == 3 && away.first?.accountId == "m1")
        await h.stopAll()
    }

    @Test("M2 F2 T4 monitoring from a personal phone is refused; callback dialing is allowed, direct is not; seat-view labels")
    func decisions() async throws {
        let h = try ServiceHarness()
        try await h.start("routing-service")
        try await Self.setUp(h, limit: 10, members: ["sup1": Self.mobile, "s1": .softphone, "m1": Self.mobile],
                             order: ["sup1", "s1", "m1"])
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.MonitorRequested(requestId: "mon1", supervisorAccountId: "sup1", targetAccountId: "s1", mode: .whisper, at: Self.at(5)),
            TelephonyEvents.OutboundRequested(requestId: "out1", accountId: "m1", to: "03-1111-2222", via: .direct, at: Self.at(6)),
            TelephonyEvents.OutboundRequested(requestId: "out2", accountId: "m1", to: "03-1111-2222", via: .callbackDialing, at: Self.at(7)),
            TelephonyEvents.SeatViewDialed(callId: "sv1", fromAccountId: "s1", toAccountId: "m1", at: Self.at(8)),
        ])
        let events = try await h.read("cc.routing.decisions") { $0.count >= 4 }
        for e in events {
            switch e.event {
            case .monitorDecided(let m): #expect(!m.allowed && m.reason == "supervisorOnPersonalPhone", "M2")
            case .outboundDecided(let o) where o.requestId == "out1":
                #expect(!o.allowed && o.reason == "personalPhoneCannotPresentPlatformNumber", "F2")
            case .outboundDecided(let o):
                #expect(o.allowed && o.presentedCallerId == "+81399990000" && o.channels == 2, "F2 callback dialing")
            case .seatViewCallLabelled(let s): #expect(s.fromLabel == .outboundCall && s.toLabel == .externalCall, "T4")
            default: Issue.record("unexpected \(e.event.type)")
            }
        }
        await h.stopAll()
    }

    @Test("restarting the service mid-call (SIGKILL) loses no call and no channel")
    func restartMidCall() async throws {
        let h = try ServiceHarness()
        let first = try await h.start("routing-service")
        try await Self.setUp(h, limit: 10, members: ["m1": Self.mobile], order: ["m1"])
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81399990000", at: Self.at(10)),
            TelephonyEvents.AgentAnswered(callId: "c1", accountId: "m1", at: Self.at(12)),
        ])
        try await eventually("the call holds 2 channels") {
            (await first.get("/api/channels?tenant=tenant-a")?.body ?? "").contains(#""inUse" : 2"#)
        }
        first.signal(SIGKILL)
        _ = await first.waitForExit(timeout: .seconds(5))
        let second = try await h.start("routing-service")
        try await eventually("state restored after the crash") {
            (await second.get("/api/channels?tenant=tenant-a")?.body ?? "").contains(#""inUse" : 2"#)
        }
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [TelephonyEvents.CallEnded(callId: "c1", at: Self.at(90))])
        let usage = try await h.read("cc.usage") { events in
            events.contains { if case .channelsChanged(let c) = $0.event { c.delta == -2 } else { false } } }
        let changes = usage.compactMap { e -> StatusEvents.ChannelsChanged? in if case .channelsChanged(let c) = e.event { c } else { nil } }
        #expect(changes.last?.inUse == 0 && changes.last?.delta == -2)
        #expect(Set(usage.map(\.attributes.id)).count == 3, "each change published once by id, however often re-produced")
        await h.stopAll()
    }
}
