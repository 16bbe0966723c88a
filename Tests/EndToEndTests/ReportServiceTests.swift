import CallCenterDomain
import EventContract
import Foundation
import ReportService
import ServiceRuntime
import TestSupport
import Testing

/// report-service as a real process: events in through Kafka, reports out over HTTP and its CLI.
@Suite("report-service through Kafka", .serialized)
struct ReportServiceTests {
    static func at(_ s: Int) -> Timestamp { TestEvents.t0.adding(seconds: s) }
    static let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8, billingIncrementSeconds: 30)
    static let center = CallCenter(id: "cc1", tenantID: "tenant-a", name: "Support", externalNumber: "+81399990000",
                                   noAnswerTimeoutSeconds: 35, wrapUpSeconds: 30, memberAccountIDs: ["m"])
    static let mobile = SignInDevice.externalNumber(try! PhoneNumber.parse("09012345678"), .mobile)

    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await runProgram(ServiceProcess.binDirectory.appendingPathComponent("report-service"), arguments,
                             environment: ["CC_ACCESS_TOKEN": try await TestAuthority.shared.token(tenant: "tenant-a")])
    }

    @Test("P3 P4 charges and channel usage through Kafka, as JSON, CSV, CLI output and a chart that renders to a non-blank PNG")
    func reports() async throws {
        let h = try ServiceHarness()
        let service = try await h.start("report-service")
        try await h.publish("cc.config", tenant: "tenant-a", [
            ConfigEvents.TenantConfigured(Tenant(id: "tenant-a", concurrentCallLimit: 3, platformVersion: PlatformVersion("3.2.0")!,
                                                 callbackDialingOption: true, allowInternationalForwarding: false, rates: Self.rates)),
            ConfigEvents.CallCenterConfigured(Self.center),
        ])
        // A mobile call: rung at 0, answered at 10, ended at 105 → 95 s talk → 120 s billed → ¥33.00.
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.CallOffered(callId: "A", callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81399990000",
                                        at: EventTime(Self.at(0)))])
        try await h.publish("cc.routing.decisions", tenant: "tenant-a", [
            RoutingEvents.OfferedToAgent(callId: "A", callCenterId: "cc1", plan: DeliveryPlan.make(
                accountID: "m", device: Self.mobile, callCenter: Self.center, callerNumber: "+81311112222"), attempt: 1, at: Self.at(0)),
            RoutingEvents.CallRejected(callId: "B", reason: .concurrentCallLimitReached, at: Self.at(50))])
        try await h.publish("cc.usage", tenant: "tenant-a", [
            StatusEvents.ChannelsChanged(ChannelChange(callID: "A", delta: 1, inUse: 1, limit: 3), at: Self.at(0)),
            StatusEvents.ChannelsChanged(ChannelChange(callID: "A", delta: 1, inUse: 2, limit: 3), at: Self.at(0)),
            StatusEvents.ChannelsChanged(ChannelChange(callID: "X", delta: 1, inUse: 3, limit: 3), at: Self.at(40)),
            StatusEvents.ChannelsChanged(ChannelChange(callID: "X", delta: -1, inUse: 2, limit: 3), at: Self.at(70)),
            StatusEvents.ChannelsChanged(ChannelChange(callID: "A", delta: -2, inUse: 0, limit: 3), at: Self.at(105))])
        try await eventually("the offer is recorded") {
            (await service.get("/reports/callcenter?tenant=tenant-a")?.body ?? "").contains(#""offered" : 1"#)
        }
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.AgentAnswered(callId: "A", accountId: "m", at: EventTime(Self.at(10))),
            TelephonyEvents.CallEnded(callId: "A", at: EventTime(Self.at(105)))])
        let range = "from=\(RFC3339.format(Self.at(0)))&to=\(RFC3339.format(Self.at(600)))"
        try await eventually("the charge is reported") {
            (await service.get("/reports/charges?tenant=tenant-a&\(range)")?.body ?? "").contains(#""yen" : 33"#)
        }
        let csv = try #require(await service.get("/reports/charges?tenant=tenant-a&\(range)&format=csv"))
        #expect(csv.body == "accountId,callCenterId,phoneType,calls,talkSeconds,billedSeconds,yen,agentLegs,agentLegSeconds\r\nm,cc1,mobile,1,95,120,33.00,0,0\r\n")
        let csvByAccept = try #require(await HTTP.get("http://127.0.0.1:\(service.httpPort)/reports/charges?tenant=tenant-a&\(range)",
                                                      headers: ["Accept": "text/csv"]))
        #expect(csvByAccept.body == csv.body)
        let channels = try #require(await service.get("/reports/channels?tenant=tenant-a&\(range)")).body
        #expect(channels.contains(#""peak" : 3"#) && channels.contains(#""secondsAtLimit" : 30"#) && channels.contains(#""refusedCalls" : 1"#))
        #expect(await service.get("/reports/nonsense?tenant=tenant-a")?.status == 404)
        #expect(await service.get("/reports/charges?tenant=tenant-a&from=yesterday")?.status == 400)
        // The range is capped: a report reads every archived call of its range.
        let tooLong = try #require(await service.get("/reports/callcenter?tenant=tenant-a&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"))
        #expect(tooLong.status == 400 && tooLong.body.contains("at most 400 days"), "\(tooLong.body)")
        #expect(await service.get("/charts/charges.svg?tenant=tenant-a&from=2020-01-01T00:00:00Z&to=2022-01-01T00:00:00Z")?.status == 400)
        #expect(await service.get("/reports/agent?tenant=tenant-a&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")?.status == 200)

        // The operator CLI prints the same report.
        let cli = try await Self.run(["report", "charges", "--tenant", "tenant-a", "--from", RFC3339.format(Self.at(0)),
                                "--to", RFC3339.format(Self.at(600)), "--csv", "--url", "http://127.0.0.1:\(service.httpPort)"])
        #expect(cli.status == 0 && cli.output == csv.body)
        #expect(try await Self.run(["report", "charges"]).status == 2, "usage error without --tenant")

        // The chart renders: SVG → PNG with rsvg-convert, and the PNG is not blank.
        let svg = try #require(await service.get("/charts/channels.svg?tenant=tenant-a&\(range)"))
        #expect(svg.body.hasPrefix("<svg"))
        let dir = TestBroker.projectRoot.appendingPathComponent("var/test-output")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(svg.body.utf8).write(to: dir.appendingPathComponent("channels.svg"))
        let convert = try await runProgram(URL(fileURLWithPath: "/usr/bin/rsvg-convert"),
                                           ["-o", dir.appendingPathComponent("channels.png").path, dir.appendingPathComponent("channels.svg").path])
        #expect(convert.status == 0, "\(convert.output)")
        let line = try await runProgram(TestBroker.projectRoot.appendingPathComponent(".venv/bin/python"),
                                        [TestBroker.projectRoot.appendingPathComponent("scripts/png-stats.py").path,
                                         dir.appendingPathComponent("channels.png").path]).output
        let colors = Int(line.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(line.hasPrefix("720x260") && colors > 10, "a chart, not a blank image: \(line)")
        let chargesChart = try #require(await service.get("/charts/charges.svg?tenant=tenant-a&\(range)"))
        #expect(chargesChart.body.hasPrefix("<svg") && chargesChart.body.contains("¥33.00"))

        // Five minutes later (event time) another call: A, ended over a minute before, leaves memory for the
        // store's archive. The reports still count it, and after a restart too (read by range, not restored).
        try await h.publish("cc.telephony.events", tenant: "tenant-a", [
            TelephonyEvents.CallOffered(callId: "C", callCenterId: "cc1", callerNumber: "+81311112222",
                                        dialedNumber: "+81399990000", at: EventTime(Self.at(300)))], time: Self.at(300))
        try await eventually("the later call is recorded") {
            (await service.get("/reports/callcenter?tenant=tenant-a&\(range)")?.body ?? "").contains(#""offered" : 2"#)
        }
        #expect(await service.get("/reports/charges?tenant=tenant-a&\(range)&format=csv")?.body == csv.body)
        await h.stopAll()
        let store = try StateStore(directory: h.directory.appendingPathComponent("report-service").path)
        let archived = try store.archived(tenant: "tenant-a", from: StateEntities.archivePrefix + ReportArchive.callsField + "/",
                                          to: StateEntities.archivePrefix + ReportArchive.callsField + "0")
        #expect(archived.count == 1 && String(decoding: archived[0].value, as: UTF8.self).contains(#""callID":"A""#))
        let again = try await h.start("report-service")
        try await eventually("the archived call is reported after a restart") {
            await again.get("/reports/charges?tenant=tenant-a&\(range)&format=csv")?.body == csv.body
        }
        #expect((await again.get("/reports/callcenter?tenant=tenant-a&\(range)")?.body ?? "").contains(#""offered" : 2"#))
        // The usage points before the cut-off were archived too (but the one in force); the channel report is the same.
        #expect(try store.archived(tenant: "tenant-a", from: StateEntities.archivePrefix + ReportArchive.usageField + "/",
                                   to: StateEntities.archivePrefix + ReportArchive.usageField + "0").count == 4)
        let channelsAgain = try #require(await again.get("/reports/channels?tenant=tenant-a&\(range)")).body
        #expect(channelsAgain == channels)
        let chartAgain = try #require(await again.get("/charts/channels.svg?tenant=tenant-a"))
        #expect(chartAgain.body.contains("peak 3 of 3"), "the default range starts at the first archived point")
        let afterA = "from=\(RFC3339.format(Self.at(1)))&to=\(RFC3339.format(Self.at(600)))"
        #expect(await again.get("/reports/charges?tenant=tenant-a&\(afterA)&format=csv")?.body
            == "accountId,callCenterId,phoneType,calls,talkSeconds,billedSeconds,yen,agentLegs,agentLegSeconds\r\n", "a range after A's offer leaves it out")
        await h.stopAll()
    }
}
