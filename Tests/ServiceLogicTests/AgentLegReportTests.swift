import CallCenterDomain
import EventContract
import Foundation
@testable import ReportService
import ServiceRuntime
import Testing

/// F12 in the charges report (P3): an agent leg is a forwarded leg from connected to disconnected, shown apart from
/// the talk time of calls.
@Suite("F12 agent legs in the charges report")
struct AgentLegReportTests {
    typealias D = ScriptedDay

    static func state(_ events: [(String, any EventPayload, Int)]) throws -> ReportState {
        try #require(DrivenState.of(ReportProcessor(), tenant: "tenant-a", clock: D.t0,
                                    events.map { ($0.0, $0.1, D.t0.adding(seconds: $0.2)) }))
    }

    static func bridged(_ call: String, leg: String, at second: Int) -> any EventPayload {
        let device = SignInDevice.externalNumber(try! PhoneNumber.parse("090-1234-5678"), .mobile)
        return RoutingEvents.OfferedToAgent(callId: call, callCenterId: "cc1",
                                            plan: DeliveryPlan.make(accountID: "p", device: device, callCenter: D.center,
                                                                    callerNumber: "+81311112222", leg: leg),
                                            attempt: 1, at: D.t0.adding(seconds: second))
    }

    @Test("P3 F12 the leg is charged from connected to its end (the earliest of routing's close and the telephony layer's disconnect), at the rate of its number; a call bridged onto it adds talk time to nothing; a failed leg costs nothing")
    func legCharged() throws {
        let s = try Self.state([
            ("cc.config", ConfigEvents.TenantConfigured(D.tenant), 0), ("cc.config", ConfigEvents.CallCenterConfigured(D.center), 0),
            ("cc.call.commands", CallCommandEvents.AgentLegOpen(accountId: "p", legId: "leg-1", dialNumber: "+819012345678",
                                                                presentedCallerId: "+81399990000", callCenterId: "cc1"), 10),
            ("cc.telephony.events", TelephonyEvents.AgentLegConnected(accountId: "p", legId: "leg-1", at: D.at(14)), 14),
            ("cc.telephony.events", D.offer("B", 20), 20), ("cc.routing.decisions", Self.bridged("B", leg: "leg-1", at: 20), 20),
            ("cc.telephony.events", D.answer("B", "p", 20), 20), ("cc.telephony.events", D.end("B", 80), 80),
            ("cc.call.commands", CallCommandEvents.AgentLegClose(accountId: "p", legId: "leg-1", reason: .presence), 135),
            ("cc.telephony.events", TelephonyEvents.AgentLegDisconnected(accountId: "p", legId: "leg-1", at: D.at(136)), 136),
            // A landline leg that never connected.
            ("cc.call.commands", CallCommandEvents.AgentLegOpen(accountId: "q", legId: "leg-2", dialNumber: "+81612345678",
                                                                presentedCallerId: "+81399990000", callCenterId: "cc1"), 140),
            ("cc.telephony.events", TelephonyEvents.AgentLegFailed(accountId: "q", legId: "leg-2", reason: .busy, at: D.at(150)), 150),
        ])
        let rows = Reports.charges(s, from: D.t0, to: D.t0.adding(seconds: 600))
        #expect(rows.count == 1, "\(rows)")
        let p = try #require(rows.first)
        let figures: [Int] = [p.calls, p.talkSeconds, p.agentLegs, p.agentLegSeconds, p.billedSeconds]
        #expect(figures == [0, 0, 1, 121, 150], "calls, talk, legs, leg seconds, billed")
        #expect(p.yen == 41.25, "150 s at 16.5 yen a minute")
        #expect(s.agentLegs["leg-2"]?.connectedMilliseconds == nil)
        #expect(s.agentLegs["leg-2"]?.phoneType == PhoneType.landline)
        // A range starting after the leg was opened leaves it out (legs count where they were opened, as calls do).
        #expect(Reports.charges(s, from: D.t0.adding(seconds: 11), to: D.t0.adding(seconds: 600)).isEmpty)
        #expect(ReportRendering.csv(.charges, s, from: D.t0, to: D.t0.adding(seconds: 600))
            .hasSuffix("\r\np,cc1,mobile,0,0,150,41.25,1,121\r\n"))
    }

    @Test("P3 F12 the telephony layer's events read before routing's open command (another topic) still make the leg's charge")
    func outOfOrder() throws {
        let s = try Self.state([
            ("cc.config", ConfigEvents.TenantConfigured(D.tenant), 0),
            ("cc.telephony.events", TelephonyEvents.AgentLegConnected(accountId: "p", legId: "leg-1", at: D.at(12)), 12),
            ("cc.telephony.events", TelephonyEvents.AgentLegDisconnected(accountId: "p", legId: "leg-1", at: D.at(42)), 42),
            ("cc.call.commands", CallCommandEvents.AgentLegOpen(accountId: "p", legId: "leg-1", dialNumber: "+81612345678",
                                                                presentedCallerId: "+81399990000", callCenterId: "cc1"), 10),
        ])
        let row = try #require(Reports.charges(s, from: D.t0, to: D.t0.adding(seconds: 600)).first)
        #expect(row.agentLegSeconds == 30 && row.phoneType == .landline && row.callCenterId == "cc1")
        #expect(s.agentLegs["leg-1"]?.openedAt == D.t0.adding(seconds: 10), "opened when routing dialled it")
    }

    @Test("P3 F12 ended legs leave memory for the archive and are still counted from it")
    func legsArchived() throws {
        var s = try Self.state([
            ("cc.config", ConfigEvents.TenantConfigured(D.tenant), 0),
            ("cc.call.commands", CallCommandEvents.AgentLegOpen(accountId: "p", legId: "leg-1", dialNumber: "+819012345678",
                                                                presentedCallerId: "+81399990000", callCenterId: "cc1"), 10),
            ("cc.telephony.events", TelephonyEvents.AgentLegConnected(accountId: "p", legId: "leg-1", at: D.at(10)), 10),
            ("cc.telephony.events", TelephonyEvents.AgentLegDisconnected(accountId: "p", legId: "leg-1", at: D.at(70)), 70),
        ])
        ReportArchive.sweep(&s, now: D.t0.adding(seconds: 70 + 61))
        #expect(s.agentLegs.isEmpty && s.archivedLegs.records.map(\.value.legID) == ["leg-1"])
        #expect(Reports.charges(s, from: D.t0, to: D.t0.adding(seconds: 600)).first?.agentLegSeconds == 60)
        // Read back from the store, as report-service does for a range.
        let stored = try s.archivedLegs.records.map { try JSONEncoder().encode($0.value) }
        var fresh = ReportState()
        fresh.tenant = D.tenant
        let withArchive = ReportArchive.including(calls: [], legs: stored, in: fresh)
        #expect(Reports.charges(withArchive, from: D.t0, to: D.t0.adding(seconds: 600)).first?.agentLegSeconds == 60)
    }
}
