import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// S3 across services: a request id repeated after a newer change answers as the first time and brings back
/// nothing downstream.
@Suite("S3 retries across settings, routing and status", .serialized)
struct RetrySafetyEndToEndTests {
    /// The device routing (`device`: kind) and status (`device`: phone type) show for an account.
    static func devices(_ h: ServiceHarness, account: String) async -> (routing: String?, status: String?) {
        func find(_ body: String?) -> [String: Any]? {
            func search(_ value: Any) -> [String: Any]? {
                if let d = value as? [String: Any] {
                    if d["accountId"] as? String == account, d["device"] != nil { return d }
                    return d.values.lazy.compactMap(search).first
                }
                return (value as? [Any])?.lazy.compactMap(search).first
            }
            return body.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }.flatMap(search)
        }
        let routing = await h.services["routing-service"]?.get("/api/agents?tenant=tenant-a")?.body
        let status = await h.services["status-service"]?.get("/api/monitor?tenant=tenant-a")?.body
        return (find(routing)?["device"] as? String, find(status)?["device"] as? String)
    }

    @Test("S3 request 1 (mobile), request 2 (softphone), request 1 again: the same answer with revision 1, and routing and status keep the softphone")
    func repeatedRequestChangesNothingDownstream() async throws {
        let h = try ServiceHarness()
        for name in ["settings-service", "routing-service", "status-service"] { try await h.start(name) }
        try await SettingsServiceTests.configure(h)
        let toMobile = SettingsServiceTests.request("r1", "admin", .account, target: "agent1")
        try await h.publish("cc.settings.commands", tenant: "tenant-a", [toMobile])
        try await eventually("routing and status have the mobile") {
            let d = await Self.devices(h, account: "agent1")
            return d.routing == "externalNumber" && d.status == "mobile"
        }
        try await h.publish("cc.settings.commands", tenant: "tenant-a",
                            [SettingsServiceTests.request("r2", "admin", .account, target: "agent1", number: nil)])
        try await eventually("routing and status have the softphone") {
            let d = await Self.devices(h, account: "agent1")
            return d.routing == "softphone" && d.status == "softphone"
        }
        // The client retries request 1 (a new event, the same request id), then a change for another agent follows:
        // once that one shows downstream, the repeated answer before it has been handled too.
        try await h.publish("cc.settings.commands", tenant: "tenant-a", [toMobile])
        try await h.publish("cc.settings.commands", tenant: "tenant-a",
                            [SettingsServiceTests.request("r3", "admin", .account, target: "agent2")])
        try await eventually("the marker change reached routing and status") {
            let d = await Self.devices(h, account: "agent2")
            return d.routing == "externalNumber" && d.status == "mobile"
        }
        let changes = try await h.read("cc.settings.events") { events in
            events.filter { if case .deviceChanged = $0.event { true } else { false } }.count >= 4
        }.compactMap { e -> SettingsEvents.Changed? in if case .deviceChanged(let c) = e.event { c } else { nil } }
        #expect(changes.map(\.requestId) == ["r1", "r2", "r1", "r3"])
        #expect(changes.map(\.revision) == [1, 2, 1, 1], "the repeated answer is the first outcome, revision included")
        #expect(changes[2].current == changes[0].current && changes[2].previous == changes[0].previous)
        let after = await Self.devices(h, account: "agent1")
        #expect(after.routing == "softphone" && after.status == "softphone",
                "the repeated answer did not bring back the mobile: \(after)")
        await h.stopAll()
    }
}
