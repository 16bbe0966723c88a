import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// What a supervisor sees of F12–F16 in the realtime monitor: status-service as a real process, its page in Chromium.
@Suite("Realtime monitor: persistent legs, declines, voicemail, closed queues", .serialized)
struct MonitorRemoteAgentTests {
    @Test("F12 F13 F14 F16 T1 the monitor shows a connected persistent leg, declines and voicemail answers per agent, and which members cannot take a closed queue's calls on their device; the page shows the same")
    func monitorShowsRemoteAgentRules() async throws {
        let h = try ServiceHarness()
        let service = try await StatusServiceTests.setUp(h)  // cc1: m (mobile), l (landline), s (softphone)
        try await h.publish("cc.config", tenant: "tenant-a", [
            ConfigEvents.CallCenterConfigured(CallCenter(id: "pay", tenantID: "tenant-a", name: "Payments", externalNumber: "03-9999-0001",
                                                         noAnswerTimeoutSeconds: 35, wrapUpSeconds: 30, memberAccountIDs: ["m", "s"],
                                                         allowPersonalPhones: false))])
        try await h.publish("cc.telephony.events", tenant: "tenant-a", ["m", "l", "s"].map {
            TelephonyEvents.PresenceChanged(accountId: $0, presence: .available, at: StatusServiceTests.at(1)) })
        try await eventually("agents available") {
            (await service.get("/api/monitor?tenant=tenant-a")?.body ?? "").contains("Payments")
        }
        try await h.publish("cc.call.commands", tenant: "tenant-a", [
            CallCommandEvents.AgentLegOpen(accountId: "m", legId: "leg-1", dialNumber: "+819012345678", presentedCallerId: "+81399990000")])
        // The telephony layer connects the leg after it received routing's command.
        try await eventually("the leg is dialled") {
            (await service.get("/api/monitor?tenant=tenant-a")?.body ?? "").contains(#""legConnected" : false"#)
        }
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.AgentLegConnected(accountId: "m", legId: "leg-1", at: StatusServiceTests.at(3))])
        try await h.publish("cc.routing.decisions", tenant: "tenant-a",
                            StatusServiceTests.call("c1", to: "l", device: StatusServiceTests.landline, at: 5)
                            + [RoutingEvents.OfferCancelled(callId: "c1", accountId: "l", reason: .declined, at: TestEvents.t0.adding(seconds: 6))]
                            + StatusServiceTests.call("c2", to: "l", device: StatusServiceTests.landline, at: 7)
                            + [RoutingEvents.OfferCancelled(callId: "c2", accountId: "l", reason: .voicemail, at: TestEvents.t0.adding(seconds: 8))])

        struct Monitor: Decodable {
            struct Agent: Decodable { var accountId: String; var legConnected: Bool?; var declined: Int; var voicemail: Int; var cannotTakeCalls: Bool }
            struct Center: Decodable { var callCenterId: String; var agents: [Agent] }
            var callCenters: [Center]
            func agent(_ id: String, in center: String) -> Agent? {
                callCenters.first { $0.callCenterId == center }?.agents.first { $0.accountId == id }
            }
        }
        var monitor: Monitor?
        var body = ""
        do {
            try await eventually("the monitor shows the leg, the decline and the voicemail answer") {
                body = await service.get("/api/monitor?tenant=tenant-a")?.body ?? ""
                monitor = try? JSONDecoder().decode(Monitor.self, from: Data(body.utf8))
                return monitor?.agent("m", in: "cc1")?.legConnected == true && monitor?.agent("l", in: "cc1")?.voicemail == 1
            }
        } catch {
            Issue.record("the monitor shows: \(body)")
            throw error
        }
        let m = try #require(monitor)
        #expect(m.agent("l", in: "cc1")?.declined == 1, "F13")
        #expect(m.agent("s", in: "cc1")?.legConnected == nil, "no leg, no value")
        #expect(m.agent("m", in: "pay")?.cannotTakeCalls == true && m.agent("s", in: "pay")?.cannotTakeCalls == false, "F16")
        #expect(m.agent("m", in: "cc1")?.cannotTakeCalls == false, "cc1 takes personal phones")

        let browser = try await WebDriver()
        let token = try await TestAuthority.shared.token(tenant: "tenant-a")
        try await browser.open("http://127.0.0.1:\(service.httpPort)/?tenant=tenant-a#access_token=\(token)")
        func cell(_ center: String, _ agent: String, _ selector: String) -> String {
            #"const e = document.querySelector('[data-center="\#(center)"] [data-agent="\#(agent)"] \#(selector)'); return e ? e.textContent : null;"#
        }
        try await eventually("the page shows the leg connected") {
            (try await browser.evaluate(cell("cc1", "m", "[data-leg]")) as? String)?.contains("Connected") == true
        }
        #expect(try await browser.evaluate(cell("cc1", "l", "[data-declined]")) as? String == "1")
        #expect(try await browser.evaluate(cell("cc1", "l", "[data-voicemail]")) as? String == "1")
        #expect((try await browser.evaluate(cell("pay", "m", "[data-cannot-take]")) as? String)?.contains("Cannot take") == true)
        #expect(try await browser.evaluate(cell("pay", "s", "[data-cannot-take]")) as? String == nil, "s is on the softphone")
        let shot = TestBroker.projectRoot.appendingPathComponent("var/test-output/realtime-monitor-remote-agents.png")
        try await browser.screenshot(to: shot)
        await browser.quit()
        await h.stopAll()
    }
}
