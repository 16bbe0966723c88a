import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// F12 and F15 through the four services as real processes on a real broker: a persistent leg followed from
/// `cc.call.commands` to `cc.usage`, the status views and the charges report, with ccctl; and across a SIGKILL.
@Suite("F12 F15 persistent leg through the services", .serialized)
struct PersistentLegEndToEndTests {
    static let tenant = "tenant-leg"
    static func at(_ s: Int) -> EventTime { EventTime(TestEvents.t0.adding(seconds: s)) }

    static func configure(_ h: ServiceHarness, limit: Int = 4) async throws {
        let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8, billingIncrementSeconds: 30)
        try await h.publish("cc.config", tenant: tenant, [
            ConfigEvents.TenantConfigured(Tenant(id: tenant, concurrentCallLimit: limit, platformVersion: PlatformVersion("3.2.0")!,
                                                 callbackDialingOption: true, allowInternationalForwarding: false, rates: rates)),
            ConfigEvents.AccountConfigured(Account(id: "admin", tenantID: tenant, name: "Admin", role: .systemAdministrator,
                                                   extension: "300")),
            ConfigEvents.AccountConfigured(Account(id: "p1", tenantID: tenant, name: "Pat", role: .agent, extension: "301")),
            ConfigEvents.AccountConfigured(Account(id: "s1", tenantID: tenant, name: "Sam", role: .agent, extension: "302")),
            ConfigEvents.CallCenterConfigured(CallCenter(
                id: "cc1", tenantID: tenant, name: "Support", externalNumber: "03-9999-0000", noAnswerTimeoutSeconds: 35,
                wrapUpSeconds: 5, memberAccountIDs: ["p1", "s1"], persistentConnection: PersistentConnectionSettings(idleMinutes: 5),
                agentAnnouncement: AgentAnnouncement(enabled: true, includeCallerNumber: true))),
        ])
    }

    /// Sets p1's device to its mobile with a persistent connection through settings-service (S2) and waits for the answer.
    static func choosePersistentMobile(_ h: ServiceHarness) async throws -> SettingsEvents.Changed {
        let settings = try #require(h.services["settings-service"])
        try await eventually("accounts known") { (await settings.get("/api/accounts?tenant=\(tenant)")?.body ?? "").contains("p1") }
        try await h.publish("cc.settings.commands", tenant: tenant, [
            SettingsEvents.ChangeRequested(requestId: "r1", actorAccountId: "admin", screen: .account, callCenterId: nil,
                                           targetAccountId: "p1", device: ContractDevice(kind: .externalNumber, number: "090-1234-5678",
                                                                                         persistentConnection: true))])
        let events = try await h.read("cc.settings.events") { $0.contains { if case .deviceChanged = $0.event { true } else { false } } }
        return try #require(events.compactMap { e -> SettingsEvents.Changed? in if case .deviceChanged(let c) = e.event { c } else { nil } }.first)
    }

    static func legOpen(_ events: [DecodedEvent]) -> CallCommandEvents.AgentLegOpen? {
        events.compactMap { e -> CallCommandEvents.AgentLegOpen? in if case .agentLegOpen(let o) = e.event { o } else { nil } }.first
    }

    /// Usage changes once each (consumers drop a repeated event id, as the runtime does).
    static func usage(_ events: [DecodedEvent]) -> [StatusEvents.ChannelsChanged] {
        var seen = Set<String>()
        return events.compactMap { e -> StatusEvents.ChannelsChanged? in
            guard seen.insert(e.attributes.id).inserted, case .channelsChanged(let c) = e.event else { return nil }
            return c
        }
    }

    @Test("F12 F15 S2 P3 T1 a persistent leg from the device change to the report: dialled when the agent is available, the call bridged onto it with the announcement, its channel on cc.usage, legConnected in the status, its time and charge in the report; ccctl follows it")
    func legThroughTheSystem() async throws {
        let h = try ServiceHarness()
        var ports: [String: Int] = [:]
        for name in ["settings-service", "routing-service", "status-service", "report-service"] {
            ports[name] = try await h.start(name).httpPort
        }
        try await Self.configure(h)
        let changed = try await Self.choosePersistentMobile(h)
        #expect(changed.current.persistentConnection == true)
        #expect(changed.warnings.contains { $0.code == "persistentConnectionCost" }, "F12: enabling it warns of the cost")

        try await h.publish("cc.telephony.events", tenant: Self.tenant, [
            TelephonyEvents.PresenceChanged(accountId: "p1", presence: .available, at: Self.at(10))])
        let open = try #require(Self.legOpen(try await h.read("cc.call.commands") { Self.legOpen($0) != nil }))
        #expect(open.accountId == "p1" && open.dialNumber == "+819012345678" && open.presentedCallerId == "+81399990000")
        try await h.publish("cc.telephony.events", tenant: Self.tenant, [
            TelephonyEvents.AgentLegConnected(accountId: "p1", legId: open.legId, at: Self.at(12)),
            TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81399990000",
                                        at: Self.at(20)),
            TelephonyEvents.AgentAnswered(callId: "c1", accountId: "p1", at: Self.at(20)),
            TelephonyEvents.CallEnded(callId: "c1", at: Self.at(50)),
            TelephonyEvents.PresenceChanged(accountId: "p1", presence: .away, at: Self.at(80)),
            TelephonyEvents.AgentLegDisconnected(accountId: "p1", legId: open.legId, at: Self.at(81)),
        ])
        let decisions = try await h.read("cc.routing.decisions") { $0.contains { if case .offeredToAgent = $0.event { true } else { false } } }
        let offer = try #require(decisions.compactMap { e -> RoutingEvents.OfferedToAgent? in
            if case .offeredToAgent(let o) = e.event { o } else { nil } }.first)
        #expect(offer.delivery == .persistentLeg && offer.legId == open.legId && offer.channels == 1 && offer.accountId == "p1")
        #expect(offer.announcement == DeliveryAnnouncement(callCenterName: "Support", waitedSeconds: 0, callerNumberLast4: "2222"), "F15")

        let commands = try await h.read("cc.call.commands") { $0.contains { if case .agentLegClose = $0.event { true } else { false } } }
        #expect(commands.contains { if case .agentLegClose(let c) = $0.event { c.legId == open.legId && c.reason == .presence } else { false } })
        let usage = Self.usage(try await h.read("cc.usage") { events in Self.usage(events).count >= 4 })
        #expect(usage.map(\.delta) == [1, 1, -1, -1] && usage.map(\.inUse) == [1, 2, 1, 0], "F3: leg, call, call, leg")
        #expect(usage.map(\.legId) == [open.legId, nil, nil, open.legId] && usage.map(\.callId) == [nil, "c1", "c1", nil])

        func statuses(_ events: [DecodedEvent]) -> [StatusEvents.StatusChanged] {
            events.compactMap { e in if case .statusChanged(let s) = e.event, s.accountId == "p1" { s } else { nil } }
        }
        let status = statuses(try await h.read("cc.agent.status") { events in
            statuses(events).contains { $0.legConnected == true } && statuses(events).contains { $0.status == .away && $0.legConnected == false } })
        #expect(status.contains { $0.legConnected == true && $0.status == .available }, "T1: legConnected in the status")

        // P3: 68 s connected (12 s to 80 s, closed by routing), billed 90 s at the mobile rate; the bridged call adds no leg.
        let report = "http://127.0.0.1:\(ports["report-service"]!)"
        try await eventually("the report has the leg") {
            (await HTTP.get("\(report)/reports/charges?tenant=\(Self.tenant)&format=csv")?.body ?? "").contains(",1,68")
        }
        let token = try await TestAuthority.shared.token(tenant: Self.tenant)
        func ccctl(_ args: [String]) async throws -> String {
            let r = try await runProgram(ServiceProcess.binDirectory.appendingPathComponent("ccctl"),
                                         args + ["--brokers", h.brokers, "--prefix", h.prefix], environment: ["CC_ACCESS_TOKEN": token])
            #expect(r.status == 0, "\(args): \(r.output)")
            return r.output
        }
        let commandLines = try await ccctl(["tail", "cc.call.commands", "--tenant", Self.tenant, "--leg", open.legId])
        #expect(commandLines.contains("cc.call.agent-leg-open.v1") && commandLines.contains("cc.call.agent-leg-close.v1"),
                "\(commandLines)")
        #expect(!commandLines.contains("819012345678"), "numbers masked")
        let usageLines = try await ccctl(["tail", "cc.usage", "--tenant", Self.tenant, "--leg", open.legId])
        #expect(usageLines.split(separator: "\n").count == 2 && usageLines.contains(#""delta":1"#) && usageLines.contains(#""delta":-1"#),
                "\(usageLines)")
        let charges = try await ccctl(["report", "charges", "--tenant", Self.tenant, "--report-url", report])
        #expect(charges.contains("agentLegs,agentLegSeconds") && charges.contains("p1,cc1,mobile,0,0,90,24.75,1,68"), "\(charges)")
        let agent = try await ccctl(["agent", "p1", "--tenant", Self.tenant,
                                     "--settings-url", "http://127.0.0.1:\(ports["settings-service"]!)"])
        #expect(agent.contains("(persistent connection)"), "\(agent)")

        await h.stopAll()
        for s in h.services.values {
            #expect(s.exitCode == 0, "\(s.name) exits cleanly")
            #expect(!s.log.contains("callerNumberLast4") && !s.log.contains("+81311112222"), "F15: nothing of it in \(s.name)'s log")
        }
    }

    @Test("F12 F3 a SIGKILL of routing-service mid-leg: after the restart the leg still holds exactly one channel, calls are bridged onto it, and cc.usage adds up to zero with one +1 and one -1 for the leg")
    func sigkillMidLeg() async throws {
        let h = try ServiceHarness()
        try await h.start("settings-service")
        let routing = try await h.start("routing-service")
        try await Self.configure(h, limit: 2)
        _ = try await Self.choosePersistentMobile(h)
        try await h.publish("cc.telephony.events", tenant: Self.tenant, [
            TelephonyEvents.PresenceChanged(accountId: "p1", presence: .available, at: Self.at(10))])
        let open = try #require(Self.legOpen(try await h.read("cc.call.commands") { Self.legOpen($0) != nil }))
        routing.signal(SIGKILL)
        #expect(await routing.waitForExit(timeout: .seconds(10)))
        let restarted = try await h.start("routing-service")
        // With the leg's channel held, a limit of 2 leaves exactly one for a customer: c2 is refused.
        try await h.publish("cc.telephony.events", tenant: Self.tenant, [
            TelephonyEvents.AgentLegConnected(accountId: "p1", legId: open.legId, at: Self.at(12)),
            TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81399990000",
                                        at: Self.at(20)),
            TelephonyEvents.CallOffered(callId: "c2", callCenterId: "cc1", callerNumber: "+81311113333", dialedNumber: "+81399990000",
                                        at: Self.at(21)),
        ])
        let decisions = try await h.read("cc.routing.decisions") { events in
            events.contains { if case .offeredToAgent = $0.event { true } else { false } }
                && events.contains { if case .callRejected = $0.event { true } else { false } } }
        let channels = try #require(await h.services["routing-service"]?.get("/api/channels?tenant=\(Self.tenant)")).body
        #expect(channels.contains(#""\#(open.legId)" : "p1""#) && channels.contains(#""inUse" : 2"#), "\(channels)")
        #expect(decisions.contains { if case .offeredToAgent(let o) = $0.event { o.legId == open.legId && o.callId == "c1" } else { false } })
        #expect(decisions.contains { if case .callRejected(let r) = $0.event { r.callId == "c2" && r.reason == .concurrentCallLimitReached } else { false } })
        restarted.signal(SIGKILL)
        #expect(await restarted.waitForExit(timeout: .seconds(10)))
        try await h.start("routing-service")
        try await h.publish("cc.telephony.events", tenant: Self.tenant, [
            TelephonyEvents.AgentAnswered(callId: "c1", accountId: "p1", at: Self.at(22)),
            TelephonyEvents.CallEnded(callId: "c1", at: Self.at(40)),
            TelephonyEvents.PresenceChanged(accountId: "p1", presence: .signedOut, at: Self.at(60)),
        ])
        let usage = Self.usage(try await h.read("cc.usage") { events in
            let u = Self.usage(events)
            return u.count >= 4 && u.reduce(0) { $0 + $1.delta } == 0 })
        var running = 0
        for change in usage {
            running += change.delta
            #expect(change.inUse == running && change.inUse <= 2, "F3 exact at every moment: \(usage.map(\.delta))")
        }
        let leg = usage.filter { $0.legId == open.legId }.map(\.delta)
        #expect(leg == [1, -1], "the leg's channel taken once and released once: \(leg)")
        #expect(running == 0)
        await h.stopAll()
    }
}
