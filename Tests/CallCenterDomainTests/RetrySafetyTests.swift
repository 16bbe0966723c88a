import CallCenterDomain
import Foundation
import Testing

/// S3 downstream: a repeated request id changes nothing anywhere, and every map keyed by ids that callers choose
/// stays bounded.
@Suite("S3 retries and bounded request state")
struct RetrySafetyTests {
    static let mobile = DeviceRequest(kind: .externalNumber, number: "090-1234-5678")
    static let landline = DeviceRequest(kind: .externalNumber, number: "03-1234-5678")

    @Test("S3 each applied change carries the account's next revision; a repeated request answers with the first outcome and its revision")
    func revisions() throws {
        var r = SettingsRegistryTests.registry()
        let first = try #require(r.handle(SettingsRegistryTests.request("r1", actor: "admin", screen: .account, target: "agentA",
                                                                         device: Self.mobile), at: Fixtures.t0).outcome.change)
        let second = try #require(r.handle(SettingsRegistryTests.request("r2", actor: "admin", screen: .account, target: "agentA",
                                                                          device: Self.landline), at: Fixtures.t0.adding(seconds: 1)).outcome.change)
        let other = try #require(r.handle(SettingsRegistryTests.request("r3", actor: "admin", screen: .account, target: "agentB",
                                                                         device: Self.mobile), at: Fixtures.t0.adding(seconds: 2)).outcome.change)
        #expect(first.revision == 1 && second.revision == 2 && other.revision == 1)
        let (again, replay) = r.handle(SettingsRegistryTests.request("r1", actor: "admin", screen: .account, target: "agentA",
                                                                     device: Self.mobile), at: Fixtures.t0.adding(seconds: 3))
        #expect(replay && again.change == first, "the first outcome, revision 1")
        #expect(r.device(of: "agentA") == second.current, "the newer device stays")
    }

    @Test("S3 downstream: routing and the status board ignore a change not newer than the one they hold")
    func downstreamIgnoresOlder() throws {
        let mobile = SignInDevice.externalNumber(try PhoneNumber.parse("09012345678"), .mobile)
        let landline = SignInDevice.externalNumber(try PhoneNumber.parse("0312345678"), .landline)
        var routing = RoutingState(tenantID: Fixtures.tenantID)
        var applied: [Bool] = []
        applied.append(routing.setDevice(mobile, for: "a1", revision: 1))
        applied.append(routing.setDevice(landline, for: "a1", revision: 2))
        applied.append(routing.setDevice(mobile, for: "a1", revision: 1))  // the repeated answer to request 1
        applied.append(routing.setDevice(landline, for: "a1", revision: 2))
        applied.append(routing.setDevice(mobile, for: "a1"))  // an unnumbered (older producer's) change after numbered ones
        #expect(applied == [true, true, false, false, false])
        #expect(routing.device(of: "a1") == landline)
        let softphone = routing.setDevice(.softphone, for: "a1", revision: 3)
        #expect(softphone && routing.device(of: "a1") == .softphone)

        var board = AgentStatusBoard(tenantID: Fixtures.tenantID)
        _ = board.setDevice(mobile, for: "a1", revision: 1, at: Fixtures.t0)
        _ = board.setDevice(landline, for: "a1", revision: 2, at: Fixtures.t0)
        let stale = board.setDevice(mobile, for: "a1", revision: 1, at: Fixtures.t0)
        #expect(stale == nil)
        #expect(board.entry("a1")?.device == landline && board.entry("a1")?.deviceRevision == 2)
    }

    @Test("S3 unnumbered changes (a settings-service from before revisions) apply as before until a numbered one is seen")
    func legacyChanges() {
        #expect(DeviceRevision.supersedes(nil, held: nil))
        #expect(DeviceRevision.supersedes(1, held: nil))
        #expect(!DeviceRevision.supersedes(nil, held: 1))
        #expect(DeviceRevision.supersedes(Int.max, held: Int.max - 1) && !DeviceRevision.supersedes(Int.min, held: 1))
    }

    @Test("S3 request ids are remembered for the retry window only; a request older than what was forgotten is refused, not decided again")
    func outcomesExpire() throws {
        var r = SettingsRegistryTests.registry()
        _ = r.handle(SettingsRegistryTests.request("old", actor: "admin", screen: .account, target: "agentA", device: Self.mobile),
                     at: Fixtures.t0)
        let later = Fixtures.t0.adding(seconds: SettingsRegistry.outcomeRetentionSeconds + 60)
        // 1,024 requests after the window: a pass over the outcomes runs and forgets "old".
        for i in 0..<1_023 {
            _ = r.handle(SettingsRegistryTests.request("n\(i)", actor: "admin", screen: .account, target: "agentB",
                                                       device: i.isMultiple(of: 2) ? Self.mobile : Self.landline), at: later)
        }
        #expect(r.outcomes["old"] == nil && r.outcomes.count == 1_023)
        let before = r.device(of: "agentA")
        let (retry, replay) = r.handle(SettingsRegistryTests.request("old", actor: "admin", screen: .account, target: "agentA",
                                                                     device: Self.landline), at: Fixtures.t0)
        #expect(replay && retry.rejection?.reason == .invalidRequest && retry.rejection?.message.contains("retry window") == true)
        #expect(r.device(of: "agentA") == before, "nothing changed")
    }

    @Test("S3 at most outcomeLimit request ids per tenant; the audit kept in memory is bounded (S5 keeps the latest)")
    func bounded() throws {
        var r = SettingsRegistryTests.registry()
        let n = SettingsRegistry.outcomeLimit + 500
        for i in 0..<n {
            _ = r.handle(SettingsRegistryTests.request("q\(i)", actor: "admin", screen: .account, target: "agentB",
                                                       device: i.isMultiple(of: 2) ? Self.mobile : Self.landline),
                         at: Fixtures.t0.adding(milliseconds: Int64(i)))
        }
        #expect(r.outcomes.count <= SettingsRegistry.outcomeLimit)
        #expect(r.outcomes["q\(n - 1)"] != nil && r.outcomes["q0"] == nil)
        #expect(r.audit.count >= SettingsRegistry.auditLimit && r.audit.count < 2 * SettingsRegistry.auditLimit)
        #expect(r.auditTrail(limit: 1).first?.requestID == "q\(n - 1)", "the latest change is kept")
        #expect(r.deviceRevisions["agentB"] == n, "revisions count every applied change")
    }

    @Test("S3 a registry stored before revisions and the retry window decodes; so does an outcome without its time")
    func legacyStore() throws {
        let json = #"{"tenantID":"t1","accounts":{},"callCenters":{},"devices":{},"outcomes":{"x":{"rejected":{"requestID":"x","_1":{"reason":"invalidRequest","message":"m"}}}},"audit":[]}"#
        let r = try JSONDecoder().decode(SettingsRegistry.self, from: Data(json.utf8))
        #expect(r.deviceRevisions.isEmpty && r.outcomesForgottenBefore == nil)
        #expect(r.outcomes["x"]?.rejection?.reason == .invalidRequest && r.outcomes["x"]?.decidedAt == nil)
    }

    @Test("F6 F9 a key sequence longer than any number keeps a bounded number of digits and is rejected at its pause")
    func dtmfBounded() {
        var k = DTMFInterpreter(pauseMilliseconds: 3_000)
        let resolver = TransferTargetResolver(extensions: [:], allowInternational: false)
        _ = k.press("#", at: Fixtures.t0, resolver: resolver)
        for i in 0..<10_000 { _ = k.press("1", at: Fixtures.t0.adding(milliseconds: Int64(i)), resolver: resolver) }
        guard case .collecting(_, let digits, _, _) = k.phase else { Issue.record("collecting"); return }
        #expect(digits.count == DTMFInterpreter.maximumDigits)
        let actions = k.expire(now: Fixtures.t0.adding(seconds: 60), resolver: resolver)
        #expect(actions.contains { if case .rejected = $0 { true } else { false } })
    }
}
