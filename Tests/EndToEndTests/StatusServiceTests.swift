import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// status-service as a real process, through Kafka (T1–T3) and its live page data.
@Suite("status-service through Kafka", .serialized)
struct StatusServiceTests {
    static func at(_ s: Int) -> EventTime { EventTime(TestEvents.t0.adding(seconds: s)) }
    static let mobile = SignInDevice.externalNumber(try! PhoneNumber.parse("090-1234-5678"), .mobile)
    static let landline = SignInDevice.externalNumber(try! PhoneNumber.parse("06-1234-5678"), .landline)

    static func setUp(_ h: ServiceHarness) async throws -> ServiceProcess {
        let s = try await h.start("status-service")
        let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8, billingIncrementSeconds: 30)
        try await h.publish("cc.config", tenant: "tenant-a", [
            ConfigEvents.TenantConfigured(Tenant(id: "tenant-a", concurrentCallLimit: 10, platformVersion: PlatformVersion("3.2.0")!,
                                                 callbackDialingOption: true, allowInternationalForwarding: false, rates: rates)),
            ConfigEvents.CallCenterConfigured(CallCenter(id: "cc1", tenantID: "tenant-a", name: "Support", externalNumber: "03-9999-0000",
                                                         noAnswerTimeoutSeconds: 35, wrapUpSeconds: 30, memberAccountIDs: ["m", "l", "s"])),
        ])
        try await h.publish("cc.settings.events", tenant: "tenant-a", [("m", mobile), ("l", landline)].map { id, d in
            SettingsEvents.Changed(DeviceChange(requestID: "r-\(id)", accountID: id, previous: .softphone, current: d, actorAccountID: id,
                                                screen: .myAccount, callCenterID: nil, warnings: [], disabledFeatures: [], at: TestEvents.t0))
        })
        try await eventually("configuration applied") {
            let body = await s.get("/api/monitor?tenant=tenant-a")?.body ?? ""
            return body.contains("\"mobile\"") && body.contains("\"landline\"")
        }
        return s
    }

    static func call(_ id: String, to account: String, device: SignInDevice, at second: Int) -> [any EventPayload] {
        let plan = DeliveryPlan.make(accountID: account, device: device,
                                     callCenter: CallCenter(id: "cc1", tenantID: "tenant-a", name: "Support", externalNumber: "+81399990000",
                                                            noAnswerTimeoutSeconds: 35, wrapUpSeconds: 30, memberAccountIDs: []),
                                     callerNumber: "+81311112222")
        return [RoutingEvents.OfferedToAgent(callId: id, callCenterId: "cc1", plan: plan, attempt: 1, at: TestEvents.t0.adding(seconds: second))]
    }

    static func statuses(_ events: [DecodedEvent], _ account: String) -> [String] {
        events.compactMap { e in
            if case .statusChanged(let s) = e.event, s.accountId == account { "\(s.status.rawValue)/\(s.holdCount)" } else { nil }
        }
    }

    @Test("T1 T2 T3 statuses of softphone, mobile and landline agents; personal-phone holds are not counted; landlines never show on hold")
    func statuses() async throws {
        let h = try ServiceHarness()
        let service = try await Self.setUp(h)
        try await h.publish("cc.telephony.events", tenant: "tenant-a", ["m", "l", "s"].map {
            TelephonyEvents.PresenceChanged(accountId: $0, presence: .available, at: Self.at(1)) })
        try await eventually("agents available") {
            (await service.get("/api/monitor?tenant=tenant-a")?.body ?? "").components(separatedBy: "\"available\"").count == 4
        }
        // Each agent gets a call (routing's decision), answers, and is held: the mobile and landline by keys (a
        // command from routing), the softphone by its own button (a telephony event).
        try await h.publish("cc.routing.decisions", tenant: "tenant-a",
                            Self.call("cm", to: "m", device: Self.mobile, at: 10) + Self.call("cl", to: "l", device: Self.landline, at: 10)
                                + Self.call("cs", to: "s", device: .softphone, at: 10))
        try await eventually("all ringing") {
            (await service.get("/api/monitor?tenant=tenant-a")?.body ?? "").components(separatedBy: "\"ringing\"").count == 4
        }
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [("cm", "m"), ("cl", "l"), ("cs", "s")].map {
            TelephonyEvents.AgentAnswered(callId: $0.0, accountId: $0.1, at: Self.at(12)) })
        try await eventually("all talking") {
            (await service.get("/api/monitor?tenant=tenant-a")?.body ?? "").components(separatedBy: "\"talking\"").count == 4
        }
        try await h.publish("cc.call.commands", tenant: "tenant-a", [CallCommandEvents.Hold(callId: "cm", accountId: "m"),
                                                                     CallCommandEvents.Hold(callId: "cl", accountId: "l")])
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.HoldChanged(callId: "cs", accountId: "s", held: true, at: Self.at(20)),
            TelephonyEvents.HoldChanged(callId: "cs", accountId: "s", held: false, at: Self.at(25)),
            TelephonyEvents.CallEnded(callId: "cs", at: Self.at(40)),
            TelephonyEvents.ClockTick(at: Self.at(75)),
        ])
        let events = try await h.read("cc.agent.status") { Self.statuses($0, "s").last == "available/1" && Self.statuses($0, "l").count >= 4 }
        #expect(Self.statuses(events, "s").contains("onHold/1"), "T1 softphone holds show and count (T2)")
        #expect(Self.statuses(events, "s").suffix(2) == ["wrapUp/1", "available/1"], "A3 wrap-up then available")
        #expect(Self.statuses(events, "m").contains("onHold/0"), "T1 a mobile shows on hold; T2 not counted")
        #expect(!Self.statuses(events, "l").contains { $0.hasPrefix("onHold") }, "T3 a landline never shows on hold")
        #expect(Self.statuses(events, "l").last == "talking/0")
        let monitor = try #require(await service.get("/api/monitor?tenant=tenant-a")).body
        #expect(monitor.contains(#""holdCount" : 1"#), "T2 the call center's hold count counts only the softphone hold")
        #expect(monitor.contains("+81********78"), "numbers are masked on the page")
        await h.stopAll()
    }

    @Test("T4 a seat-view call to an agent on an external number shows as outbound for the caller and external for the callee")
    func seatView() async throws {
        let h = try ServiceHarness()
        let service = try await Self.setUp(h)
        try await h.publish("cc.routing.decisions", tenant: "tenant-a", [RoutingEvents.SeatViewCallLabelled(
            callId: "sv1", fromAccountId: "s", toAccountId: "m", fromLabel: .outboundCall, toLabel: .externalCall)])
        try await eventually("labels shown") {
            let body = await service.get("/api/monitor?tenant=tenant-a")?.body ?? ""
            return body.contains(#""seatViewCall" : "outboundCall""#) && body.contains(#""seatViewCall" : "externalCall""#)
        }
        let body = try #require(await service.get("/api/monitor?tenant=tenant-a")).body
        #expect(!body.contains("extensionCall"), "T4 not an extension call")
        await h.stopAll()
    }

    @Test("T1 the live stream sends the monitor data again when an agent's status changes")
    func liveStream() async throws {
        let h = try ServiceHarness()
        let service = try await Self.setUp(h)
        let stream = try SSEClient(port: service.httpPort, path: "/events?tenant=tenant-a",
                                   headers: try await TestAuthority.shared.header(tenant: "tenant-a"))
        _ = try stream.next(event: "monitor") { $0.contains(#""accountId":"m""#) }
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.PresenceChanged(accountId: "m", presence: .available, at: Self.at(1))])
        let update = try stream.next(event: "monitor") { $0.contains(#""status":"available""#) }
        #expect(update.contains(#""device":"mobile""#))
        await h.stopAll()
        #expect(service.exitCode == 0, "exits cleanly with a stream open")
    }
}

/// The realtime monitor page in real headless Chromium.
@Suite("Realtime monitor page in Chromium", .serialized)
struct MonitorPageBrowserTests {
    @Test("T1 the page, opened with a token in its URL fragment, shows an agent change status live (the token sent as a header, also for the stream) and a screenshot is saved")
    func liveUpdate() async throws {
        let h = try ServiceHarness()
        let service = try await StatusServiceTests.setUp(h)
        let browser = try await WebDriver()
        let token = try await TestAuthority.shared.token(tenant: "tenant-a")
        try await browser.open("http://127.0.0.1:\(service.httpPort)/?tenant=tenant-a#access_token=\(token)")
        let statusOfM = #"const e = document.querySelector('[data-agent="m"] [data-status]'); return e ? e.dataset.status : null;"#
        try await eventually("the page shows m signed out") { (try await browser.evaluate(statusOfM)) as? String == "signedOut" }
        try await eventually("the page is live") {
            (try await browser.evaluate("return document.getElementById('state').textContent")) as? String == "live"
        }
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.PresenceChanged(accountId: "m", presence: .available, at: StatusServiceTests.at(1))])
        try await eventually("the page shows m available without reloading") {
            (try await browser.evaluate(statusOfM)) as? String == "available"
        }
        let device = try await browser.evaluate(#"return document.querySelector('[data-agent="m"]').textContent"#) as? String
        #expect(device?.contains("Mobile") == true && device?.contains("+81********78") == true)
        let address = try await browser.evaluate("return location.href") as? String
        #expect(address?.contains("access_token") == false, "the token leaves the address bar (history, screenshots): \(address ?? "")")
        let shot = TestBroker.projectRoot.appendingPathComponent("var/test-output/realtime-monitor.png")
        try await browser.screenshot(to: shot)
        #expect((try Data(contentsOf: shot)).count > 10_000)
        await browser.quit()
        await h.stopAll()
    }
}
