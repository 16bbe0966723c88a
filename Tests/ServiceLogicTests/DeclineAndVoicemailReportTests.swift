import CallCenterDomain
import EventContract
import Foundation
@testable import ReportService
import ServiceRuntime
import Testing

/// F13 and F14 in the agent report (P1): declines and voicemail answers counted apart.
@Suite("F13 F14 in the agent report")
struct DeclineAndVoicemailReportTests {
    @Test("F13 a decline counts as an offer and a decline, not a no-answer; F14 a voicemail answer counts as a no-answer and a voicemail; both in JSON and CSV")
    func countedApart() throws {
        typealias D = ScriptedDay
        let t = { (s: Int) in D.t0.adding(seconds: s) }
        let events: [(String, any EventPayload)] = [
            ("cc.config", ConfigEvents.TenantConfigured(D.tenant)), ("cc.config", ConfigEvents.CallCenterConfigured(D.center)),
            ("cc.telephony.events", D.offer("H", 0)), ("cc.routing.decisions", D.ring("H", "m", 0)),
            ("cc.routing.decisions", RoutingEvents.OfferCancelled(callId: "H", accountId: "m", reason: .declined, at: t(3))),
            ("cc.routing.decisions", D.ring("H", "l", 3)),
            ("cc.routing.decisions", RoutingEvents.OfferCancelled(callId: "H", accountId: "l", reason: .voicemail, at: t(6))),
            ("cc.routing.decisions", D.ring("H", "s", 6)), ("cc.telephony.events", D.answer("H", "s", 8)),
            ("cc.telephony.events", D.end("H", 60)),
        ]
        let state = try #require(DrivenState.of(ReportProcessor(), tenant: "tenant-a", clock: D.t0, events.map { ($0.0, $0.1, D.t0) }))
        let rows = Dictionary(uniqueKeysWithValues: Reports.agents(state, from: D.t0, to: t(600)).map { ($0.accountId, $0) })
        #expect(rows["m"].map { [$0.offered, $0.noAnswer, $0.declined, $0.voicemail] } == [1, 0, 1, 0], "F13")
        #expect(rows["l"].map { [$0.offered, $0.noAnswer, $0.declined, $0.voicemail] } == [1, 1, 0, 1], "F14")
        #expect(rows["s"].map { [$0.offered, $0.answered, $0.declined, $0.voicemail] } == [1, 1, 0, 0])
        let csv = ReportRendering.csv(.agent, state, from: D.t0, to: t(600))
        #expect(csv.hasPrefix("accountId,name,offered,answered,noAnswer,averageRingSeconds,averageTalkSeconds,holdCount,declined,voicemail"))
        #expect(csv.contains("\nm,m,1,0,0,") && csv.contains(",0,1,0"))
    }
}
