import CallCenterDomain
import EventContract
import Foundation
@testable import ReportService
import ServiceRuntime
import Testing

@Suite("P1–P4 reports of a scripted day")
struct ReportTests {
    /// The scripted day through report-service's logic, on the runtime's own path.
    static func state() throws -> ReportState {
        try #require(DrivenState.of(ReportProcessor(), tenant: "tenant-a", clock: ScriptedDay.t0,
                                    ScriptedDay.events.map { ($0.topic, $0.payload, ScriptedDay.t0) }))
    }

    static let from = ScriptedDay.t0, to = ScriptedDay.t0.adding(seconds: 600)

    @Test("P1 call-center report: offered, answered, abandoned, rejected, averages, holds without personal-phone holds")
    func callCenter() throws {
        let rows = Reports.callCenters(try Self.state(), from: Self.from, to: Self.to)
        // 7 offered (A–G); answered A B C F G; E abandoned; D rejected.
        // wait (10 + 6 + 4 + 40 + 1) / 5 = 12.2 s; talk (95 + 120 + 31 + 60 + 30) / 5 = 67.2 s; holds: B's two only.
        #expect(rows == [Reports.CallCenterRow(callCenterId: "cc1", name: "Support", offered: 7, answered: 5, abandoned: 1, rejected: 1,
                                               averageWaitSeconds: 12.2, averageTalkSeconds: 67.2, holdCount: 2)])
    }

    @Test("P1 agent report: per agent offers, answers, no-answers, ring and talk averages, holds")
    func agents() throws {
        let rows = Reports.agents(try Self.state(), from: Self.from, to: Self.to)
        #expect(rows == [
            // l: C; rung 30, answered 34 (4 s); talk 31; its hold is on a personal phone: 0.
            Reports.AgentRow(accountId: "l", name: "l", offered: 1, answered: 1, noAnswer: 0, averageRingSeconds: 4, averageTalkSeconds: 31, holdCount: 0),
            // m: A, F (no answer), G; ring (10 + 1) / 2 = 5.5; talk (95 + 30) / 2 = 62.5.
            Reports.AgentRow(accountId: "m", name: "m", offered: 3, answered: 2, noAnswer: 1, averageRingSeconds: 5.5, averageTalkSeconds: 62.5, holdCount: 0),
            // s: B, F; ring (6 + 5) / 2 = 5.5; talk (120 + 60) / 2 = 90; B's two holds.
            Reports.AgentRow(accountId: "s", name: "s", offered: 2, answered: 2, noAnswer: 0, averageRingSeconds: 5.5, averageTalkSeconds: 90, holdCount: 2),
        ])
    }

    @Test("P2 outbound report: personal-phone calls count only via callback dialing")
    func outbound() throws {
        #expect(Reports.outbound(try Self.state(), from: Self.from, to: Self.to) == [
            Reports.OutboundRow(accountId: "m", name: "m", counted: 1, viaCallbackDialing: 1, refused: 1),
            Reports.OutboundRow(accountId: "s", name: "s", counted: 1, viaCallbackDialing: 0, refused: 0),
        ])
    }

    @Test("P3 charges: forwarded legs per agent and call center, billed per call in 30 s increments rounded up")
    func charges() throws {
        #expect(Reports.charges(try Self.state(), from: Self.from, to: Self.to) == [
            // C: 31 s → 60 s → 60 × 880 / 60 = 880 sen = ¥8.80
            Reports.ChargeRow(accountId: "l", callCenterId: "cc1", phoneType: .landline, calls: 1, talkSeconds: 31, billedSeconds: 60, yen: 8.8),
            // A: 95 s → 120 s → 3300 sen; G: 30 s → 30 s → 825 sen; ¥41.25
            Reports.ChargeRow(accountId: "m", callCenterId: "cc1", phoneType: .mobile, calls: 2, talkSeconds: 125, billedSeconds: 150, yen: 41.25),
        ])
    }

    @Test("P4 channel usage: peak, time at the limit, refused calls")
    func channels() throws {
        let r = Reports.channels(try Self.state(), from: Self.from, to: Self.to)
        #expect(r.limit == 3 && r.peak == 3)
        #expect(r.secondsAtLimit == 85, "from 20 s to 105 s")
        #expect(r.refusedCalls == 1)
        #expect(r.points.map(\.inUse) == [1, 2, 3, 1, 0])
    }

    @Test("P3 P4 CSV exports carry the same numbers; the channel chart is an SVG with the limit line")
    func renderings() throws {
        let s = try Self.state()
        #expect(ReportRendering.csv(.charges, s, from: Self.from, to: Self.to) ==
            "accountId,callCenterId,phoneType,calls,talkSeconds,billedSeconds,yen,agentLegs,agentLegSeconds\r\nl,cc1,landline,1,31,60,8.80,0,0\r\nm,cc1,mobile,2,125,150,41.25,0,0\r\n")
        #expect(ReportRendering.csv(.callcenter, s, from: Self.from, to: Self.to).contains("cc1,Support,7,5,1,1,12.2,67.2,2"))
        let svg = ReportRendering.channelsSVG(s, from: Self.from, to: Self.to)
        #expect(svg.hasPrefix("<svg") && svg.contains("limit 3") && svg.contains("peak 3 of 3, refused 1"))
    }

    @Test("P3 the charges chart has one bar per agent with its yen, largest first")
    func chargesChart() throws {
        let svg = ReportRendering.chargesSVG(try Self.state(), from: Self.from, to: Self.to)
        #expect(svg.components(separatedBy: "<rect").count - 1 == 3, "background + 2 bars")
        let m = try #require(svg.range(of: "¥41.25")), l = try #require(svg.range(of: "¥8.80"))
        #expect(m.lowerBound < l.lowerBound, "m (¥41.25) above l (¥8.80)")
    }

    @Test("a range excludes calls offered outside it")
    func range() throws {
        let rows = Reports.callCenters(try Self.state(), from: Self.from.adding(seconds: 150), to: Self.to)
        #expect(rows.first?.offered == 2, "F and G only")
    }

    @Test("calls ended over a minute ago (event time) leave memory for the archive; reports over archive and memory are unchanged")
    func archive() throws {
        var state = try Self.state()
        func reports(_ s: ReportState) -> String {
            "\(Reports.callCenters(s, from: Self.from, to: Self.to)) \(Reports.agents(s, from: Self.from, to: Self.to)) "
                + "\(Reports.charges(s, from: Self.from, to: Self.to)) \(Reports.channels(s, from: Self.from, to: Self.to))"
        }
        let expected = reports(state)
        #expect(state.calls.count == 7 && state.archivedCalls.records.isEmpty, "all in memory while event time stands still")
        let points = state.recentUsage.count
        // An hour later (event time) a call comes in: every call that ended goes to the archive.
        let later = ScriptedDay.t0.adding(seconds: 3_600)
        let offer = TelephonyEvents.CallOffered(callId: "Z", callCenterId: "cc1", callerNumber: "+81311112222",
                                                dialedNumber: "+81399990000", at: EventTime(later))
        let event = try CloudEventCodec.decode(value: CloudEventCodec.encode(offer, id: "z", source: "/t", time: later,
                                                                             tenantID: "tenant-a", subject: nil), headers: [])
        _ = try ReportProcessor().handle(event, state: &state, context: HandlerContext(
            tenantID: "tenant-a", eventTime: later, topic: "cc.telephony.events", partition: 0, offset: 999))
        let archived = state.archivedCalls.records
        #expect(state.calls.keys.sorted() == ["Z"])
        #expect(archived.count == 7 && archived.map(\.key) == archived.map(\.key).sorted(), "keys sort by offer time")
        #expect(archived.first?.key == ReportArchive.rangeKey(ScriptedDay.t0) + "~A")
        #expect(state.recentUsage.count == 1 && state.archivedUsage.records.count == points - 1,
                "usage points leave memory too, but the one in force")
        #expect(reports(state) == expected, "records archived in this batch still count")
        // After a restart the log is empty: the records come from the store, as JSON, for the range asked.
        var restarted = state
        restarted.archivedCalls = ArchiveLog()
        restarted.archivedUsage = ArchiveLog()
        #expect(reports(restarted) != expected)
        let stored = try archived.map { try JSONEncoder().encode($0.value) }
        let storedUsage = try state.archivedUsage.records.map { ($0.key, try JSONEncoder().encode($0.value)) }
        #expect(reports(ReportArchive.including(calls: stored, usage: storedUsage, in: restarted)) == expected)
        // Events that arrive within the minute after a call's end still find it in memory.
        var fresh = try Self.state()
        ReportArchive.sweep(&fresh, now: ScriptedDay.t0.adding(seconds: 150))
        #expect(fresh.calls.count == 7 - fresh.archivedCalls.records.count && fresh.calls["F"] != nil)
    }

    @Test("a sweep archives at most maxArchivedPerSweep calls and twice as many usage points, oldest first; the rest follow sweepRetryEvents events later, whatever the event time")
    func boundedSweep() {
        var state = ReportState()
        let n = ReportArchive.maxArchivedPerSweep * 2 + 500
        for i in 0..<n {
            let at = ScriptedDay.t0.adding(milliseconds: Int64(i))
            state.calls["c\(i)"] = ReportState.CallRecord(callID: "c\(i)", callCenterID: "cc1", offeredAt: at, endedAt: at)
            state.recordUsage(ChannelUsageTimeline.Point(at: at, inUse: i % 3, limit: 3))
        }
        let later = ScriptedDay.t0.adding(seconds: 3_600)
        ReportArchive.sweep(&state, now: later)
        #expect(state.archivedCalls.records.map(\.key) == (0..<ReportArchive.maxArchivedPerSweep).map {
            ReportArchive.key(offeredAt: ScriptedDay.t0.adding(milliseconds: Int64($0)), callID: "c\($0)")
        })
        #expect(state.archivedUsage.records.count == 2 * ReportArchive.maxArchivedPerSweep)
        // The next sweeps: only every sweepRetryEvents events (whatever the event time), then every 10 s again.
        let retry = ReportArchive.sweepRetryEvents
        var now = later
        func events(_ n: Int) {
            for _ in 0..<n {
                now = now.adding(seconds: 60)  // a catching-up batch: minutes of event time between events
                ReportArchive.sweep(&state, now: now)
            }
        }
        events(retry - 1)
        #expect(state.calls.count == n - ReportArchive.maxArchivedPerSweep, "not before sweepRetryEvents events")
        events(1)
        #expect(state.calls.count == n - 2 * ReportArchive.maxArchivedPerSweep)
        events(retry)
        #expect(state.calls.isEmpty && state.recentUsage.count == 1, "all gone after three sweeps, but the usage in force")
        #expect(state.eventsUntilSweep == nil)
        ReportArchive.sweep(&state, now: now.adding(seconds: 5))
        #expect(state.lastArchiveSweep == now, "nothing more due: back to every 10 s")
    }

    @Test("a state stored before the archive existed still restores")
    func olderState() throws {
        let old = #"{"accountNames":{},"callCenterNames":{"cc1":"Support"},"calls":{},"outbound":[],"refusals":[],"usage":{"points":[],"refusedCalls":0}}"#
        let state = try JSONDecoder().decode(ReportState.self, from: Data(old.utf8))
        #expect(state.callCenterNames == ["cc1": "Support"] && state.lastArchiveSweep == nil)
        // Points of the older timeline count, and move to the new one on the next change.
        let withPoints = old.replacingOccurrences(of: #""points":[]"#, with: #""points":[{"at":1000,"inUse":2,"limit":3}]"#)
        var older = try JSONDecoder().decode(ReportState.self, from: Data(withPoints.utf8))
        #expect(older.usageTimeline.usage(at: Timestamp(millisecondsSinceEpoch: 1_500)) == 2)
        older.recordUsage(ChannelUsageTimeline.Point(at: Timestamp(millisecondsSinceEpoch: 2_000), inUse: 1, limit: 3))
        #expect(older.usage.points.isEmpty && older.recentUsage.count == 2)
        #expect(older.usageTimeline.points.map(\.inUse) == [2, 1])
    }
}
