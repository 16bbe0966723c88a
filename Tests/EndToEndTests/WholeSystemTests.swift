import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// The four services and the demo scenario as real processes against the broker.
@Suite("The whole system", .serialized)
struct WholeSystemTests {
    @Test("the demo scenario through all four services: decisions, statuses, usage and reports agree")
    func demo() async throws {
        let h = try ServiceHarness()
        var ports: [String: Int] = [:]
        for name in ["settings-service", "routing-service", "status-service", "report-service"] {
            ports[name] = try await h.start(name).httpPort
        }
        let sim = try await runProgram(ServiceProcess.binDirectory.appendingPathComponent("cc-sim"), [
            "demo", "--brokers", h.brokers, "--prefix", h.prefix, "--tenant", "demo", "--calls", "24", "--rate", "8",
            "--report-url", "http://127.0.0.1:\(ports["report-service"]!)",
        ], environment: ["CC_ACCESS_TOKEN": try await TestAuthority.shared.token(tenant: "demo")])
        #expect(sim.status == 0, "cc-sim output:\n\(sim.output)")
        #expect(sim.output.contains("Charges for forwarded legs"), "cc-sim read the report with its token: \(sim.output)")
        // S2 through settings-service: four screens applied, two refusals.
        #expect(sim.output.components(separatedBy: "applied:").count - 1 == 4, "\(sim.output)")
        #expect(sim.output.contains("rejected: permissionDenied") && sim.output.contains("rejected: forbiddenDestination"))
        // F12–F16 in the demo's summary: each rule happened, and F16 never let a Payments call reach a personal phone.
        func figure(_ label: String) -> Int? {
            sim.output.split(separator: "\n").first { $0.contains(label) }.flatMap { Int($0.split(separator: " ").last ?? "") }
        }
        #expect(sim.output.contains("with a persistent connection") && sim.output.contains("persistent connection holds a channel"))
        #expect((figure("persistent legs dialled (F12)") ?? 0) >= 1 && figure("persistent legs dialled (F12)") == figure("persistent legs closed (F12)"),
                "\(sim.output)")
        #expect((figure("calls bridged onto a persistent leg (F12)") ?? 0) >= 1, "\(sim.output)")
        #expect((figure("offers declined with 9 (F13)") ?? 0) >= 1 && (figure("voicemail answers taken back (F14)") ?? 0) >= 1)
        #expect((figure("deliveries announced to personal phones (F15)") ?? 0) >= 1)
        #expect(figure("Payments calls to personal phones (F16)") == 0)

        func changes(_ events: [DecodedEvent]) -> [StatusEvents.ChannelsChanged] {
            events.compactMap { e in if case .channelsChanged(let c) = e.event { c } else { nil } }
        }
        // The simulator hangs up every call before it ends: read until the deltas add up to zero.
        let usage = changes(try await h.read("cc.usage") { let c = changes($0); return !c.isEmpty && c.reduce(0) { $0 + $1.delta } == 0 })
        #expect(!usage.isEmpty)
        #expect(usage.allSatisfy { $0.inUse <= 8 && $0.limit == 8 }, "F3 the limit is never exceeded")
        #expect(usage.reduce(0) { $0 + $1.delta } == 0 && usage.last?.inUse == 0, "F3 every channel is released")

        let decisions = try await h.read("cc.routing.decisions") { events in
            events.filter { if case .callRejected = $0.event { true } else if case .offeredToAgent = $0.event { true } else { false } }
                .count >= 24 }
        let offers = decisions.compactMap { e -> RoutingEvents.OfferedToAgent? in if case .offeredToAgent(let o) = e.event { o } else { nil } }
        #expect(offers.contains { $0.delivery == .externalNumber && $0.channels == 2 && $0.presentedCallerId == "+81312345678" })
        #expect(offers.contains { $0.delivery == .softphone && $0.channels == 1 })
        #expect(Set(decisions.map(\.attributes.id)).count == decisions.count, "no event published twice")

        func statusChanges(_ events: [DecodedEvent]) -> [StatusEvents.StatusChanged] {
            events.compactMap { e in if case .statusChanged(let s) = e.event { s } else { nil } }
        }
        let statuses = statusChanges(try await h.read("cc.agent.status") { events in
            statusChanges(events).contains { $0.status == .talking && $0.device == .externalNumber } })
        #expect(statuses.contains { $0.status == .talking && $0.device == .externalNumber }, "T1")
        #expect(!statuses.contains { $0.status == .onHold && $0.phoneType == .landline }, "T3")

        // Every answered personal-phone call has a charge (P3); the report's calls match the forwarded answers.
        try await eventually("reports caught up") {
            let r = await HTTP.get("http://127.0.0.1:\(ports["report-service"]!)/reports/callcenter?tenant=demo")?.body ?? ""
            return r.contains("\"offered\" : 24")
        }
        let charges = try #require(await HTTP.get("http://127.0.0.1:\(ports["report-service"]!)/reports/charges?tenant=demo&format=csv"))
        #expect(charges.body.split(separator: "\r\n").count >= 2, "at least one charge row: \(charges.body)")
        let monitor = try #require(await HTTP.get("http://127.0.0.1:\(ports["status-service"]!)/api/monitor?tenant=demo")).body
        #expect(monitor.contains("Support"))

        // Tracing: the simulator gives each call a W3C traceparent; every event the services derive from a call's
        // events carries its trace, on every topic, and `ccctl tail --trace` follows one call.
        let telephony = try await h.read("cc.telephony.events") { events in
            events.filter { if case .callOffered = $0.event { true } else { false } }.count >= 24 }
        var traceOfCall: [String: Substring] = [:]
        for e in telephony {
            if case .callOffered(let c) = e.event, let trace = e.attributes.traceparent.flatMap(TraceParent.traceID(of:)) {
                traceOfCall[c.callId] = trace
            }
        }
        #expect(traceOfCall.count >= 24, "every offered call has a trace")
        #expect(Set(traceOfCall.values).count == traceOfCall.count, "one trace per call")
        for o in offers {
            #expect(decisions.first { e in
                if case .offeredToAgent(let x) = e.event { x.callId == o.callId } else { false }
            }?.attributes.traceparent.flatMap(TraceParent.traceID(of:)) == traceOfCall[o.callId], "routing passes on call \(o.callId)'s trace")
        }
        // A trace follows causes: an event derived from a call's event carries that call's trace even when it is about
        // another call (a queued call offered because this one ended). So: every trace on a status is a call's, and an
        // answer's talking status carries its call's trace.
        let statusEvents = try await h.read("cc.agent.status") { events in statusChanges(events).contains { $0.status == .talking } }
        let knownTraces = Set(traceOfCall.values)
        #expect(statusEvents.compactMap { $0.attributes.traceparent.flatMap(TraceParent.traceID(of:)) }.allSatisfy(knownTraces.contains))
        #expect(statusEvents.contains { e in
            guard case .statusChanged(let s) = e.event, s.status == .talking, let call = s.callId else { return false }
            return e.attributes.traceparent.flatMap(TraceParent.traceID(of:)) == traceOfCall[call]
        }, "status-service passes on the trace of the answer it was derived from")
        let followed = try #require(offers.first { $0.attempt == 1 })
        let trace = try #require(traceOfCall[followed.callId])
        let traced = decisions.filter { $0.attributes.traceparent.flatMap(TraceParent.traceID(of:)) == trace }
        let tail = try await runProgram(ServiceProcess.binDirectory.appendingPathComponent("ccctl"),
                                        ["tail", "cc.routing.decisions", "--trace", String(trace), "--brokers", h.brokers, "--prefix", h.prefix])
        let lines = tail.output.split(separator: "\n")
        #expect(tail.status == 0 && lines.count >= traced.count && lines.count < decisions.count, "\(tail.output)")
        #expect(lines.first?.contains(#""callId":"\#(followed.callId)""#) == true && lines.first?.contains(#""attempt":1"#) == true,
                "ccctl tail --trace starts with the call's first offer: \(tail.output)")
        #expect(sim.output.contains("ccctl tail cc.routing.decisions --trace "), "the demo says how to follow a call")
        await h.stopAll()
        for s in h.services.values { #expect(s.exitCode == 0, "\(s.name) exits cleanly") }
    }
}
