import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// F13, F14 and F16 through routing-service as a real process on a real broker.
@Suite("F13 F14 F16 through routing-service", .serialized)
struct RemoteAgentRulesEndToEndTests {
    static func decisions(_ events: [DecodedEvent]) -> [String] {
        events.compactMap { e in
            switch e.event {
            case .offeredToAgent(let o): "\(o.callId) offered \(o.accountId)"
            case .offerCancelled(let c): "\(c.callId) cancelled \(c.accountId) \(c.reason.rawValue)"
            case .agentNoAnswerRecorded(let n): "\(n.callId) no-answer \(n.accountId) \(n.reason.rawValue)"
            case .callQueued(let q): "\(q.callId) queued"
            default: nil
            }
        }
    }

    @Test("F13 the decline key hands the call to the next agent at once; F14 voicemail detected does too and is a no-answer; F16 a closed queue's call never goes to a personal phone")
    func declineVoicemailClosedQueue() async throws {
        let h = try ServiceHarness()
        try await h.start("routing-service")
        let mobile = RoutingServiceTests.mobile
        try await RoutingServiceTests.setUp(h, tenant: "tenant-f", limit: 10, members: ["m1": mobile, "m2": mobile, "m3": mobile],
                                            order: ["m1", "m2", "m3"])
        try await h.publish("cc.config", tenant: "tenant-f", [
            ConfigEvents.CallCenterConfigured(CallCenter(
                id: "cc1", tenantID: "tenant-f", name: "Support", externalNumber: "03-9999-0000", noAnswerTimeoutSeconds: 35,
                wrapUpSeconds: 30, memberAccountIDs: ["m1", "m2"],
                answerConfirmation: AnswerConfirmation(enabled: true, key: "1", withinSeconds: 10, declineKey: "9"))),
            ConfigEvents.CallCenterConfigured(CallCenter(
                id: "pay", tenantID: "tenant-f", name: "Payments", externalNumber: "03-9999-0001", noAnswerTimeoutSeconds: 35,
                wrapUpSeconds: 30, memberAccountIDs: ["m3"], allowPersonalPhones: false)),
        ])
        let at = { (s: Int) in EventTime(TestEvents.t0.adding(seconds: s)) }
        try await h.publish("cc.telephony.events", tenant: "tenant-f", [
            TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81399990000", at: at(10)),
            TelephonyEvents.AgentAnswered(callId: "c1", accountId: "m1", at: at(12)),
            TelephonyEvents.Dtmf(callId: "c1", accountId: "m1", key: "9", at: at(13)),                  // F13
            TelephonyEvents.AgentAnswered(callId: "c1", accountId: "m2", at: at(15)),
            TelephonyEvents.AgentVoicemailDetected(callId: "c1", accountId: "m2", at: at(17)),          // F14
            TelephonyEvents.CallOffered(callId: "c2", callCenterId: "pay", callerNumber: "+81311112222", dialedNumber: "+81399990001", at: at(20)),
        ])
        let events = try await h.read("cc.routing.decisions") { Self.decisions($0).contains("c2 queued") }
        let seen = Self.decisions(events)
        #expect(seen.prefix(5) == ["c1 offered m1", "c1 cancelled m1 declined", "c1 offered m2", "c1 cancelled m2 voicemail",
                                   "c1 no-answer m2 voicemail"], "\(seen)")
        #expect(!seen.contains("c1 no-answer m1 declined"), "F13 is not a no-answer")
        #expect(!seen.contains { $0.hasPrefix("c2 offered") }, "F16: m3 is free but on a personal phone")
        let channels = try #require(await h.services["routing-service"]?.get("/api/channels?tenant=tenant-f")).body
        #expect(channels.contains(#""queued" : 1"#), "c2 waits: \(channels)")
        await h.stopAll()
    }
}
