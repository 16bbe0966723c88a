import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// settings-service as a real process, through Kafka (S1–S5, F4, F5, F10, F11).
@Suite("settings-service through Kafka", .serialized)
struct SettingsServiceTests {
    /// Publishes the configuration and waits until the service has applied it (config and commands are
    /// different topics: Kafka orders events only within a partition of one topic).
    static func configure(_ h: ServiceHarness) async throws {
        try await publishConfiguration(h)
        let s = try #require(h.services["settings-service"])
        try await eventually("configuration applied") {
            let a = await s.get("/api/accounts?tenant=tenant-a")?.body ?? ""
            let b = await s.get("/api/accounts?tenant=tenant-b")?.body ?? ""
            return a.contains("outsider") && b.contains("bagent")
        }
    }

    static func publishConfiguration(_ h: ServiceHarness) async throws {
        let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8, billingIncrementSeconds: 30)
        for tenant in ["tenant-a", "tenant-b"] {
            try await h.publish("cc.config", tenant: tenant, [
                ConfigEvents.TenantConfigured(Tenant(id: tenant, concurrentCallLimit: 10, platformVersion: PlatformVersion("3.2.0")!,
                                                     callbackDialingOption: true, allowInternationalForwarding: false, rates: rates)),
            ])
        }
        func account(_ id: String, _ role: Role, _ editable: Set<String> = [], tenant: String = "tenant-a") -> any EventPayload {
            ConfigEvents.AccountConfigured(Account(id: id, tenantID: tenant, name: id, role: role, extension: "2\(id.count)",
                                                   editableCallCenterIDs: editable))
        }
        try await h.publish("cc.config", tenant: "tenant-a", [
            account("admin", .systemAdministrator, ["cc1"]), account("sup", .supervisor, ["cc1"]), account("sup2", .supervisor),
            account("agent1", .agent), account("agent2", .agent), account("outsider", .agent),
            ConfigEvents.CallCenterConfigured(CallCenter(id: "cc1", tenantID: "tenant-a", name: "Support", externalNumber: "03-1234-5678",
                                                         noAnswerTimeoutSeconds: 20, wrapUpSeconds: 15,
                                                         memberAccountIDs: ["sup", "sup2", "agent1", "agent2"])),
        ])
        try await h.publish("cc.config", tenant: "tenant-b", [account("badmin", .systemAdministrator, tenant: "tenant-b"),
                                                               account("bagent", .agent, tenant: "tenant-b")])
    }

    static func request(_ id: String, _ actor: String, _ screen: SettingsScreen, cc: String? = nil, target: String,
                        number: String? = "090-1234-5678") -> any EventPayload {
        SettingsEvents.ChangeRequested(requestId: id, actorAccountId: actor, screen: screen, callCenterId: cc, targetAccountId: target,
                                       device: number.map { ContractDevice(kind: .externalNumber, number: $0) } ?? ContractDevice(kind: .softphone))
    }

    /// requestId → (applied, reason)
    static func answers(_ events: [DecodedEvent]) -> [String: [(applied: Bool, reason: String?)]] {
        var result: [String: [(Bool, String?)]] = [:]
        for e in events {
            switch e.event {
            case .deviceChanged(let c): result[c.requestId, default: []].append((true, nil))
            case .deviceChangeRejected(let r): result[r.requestId, default: []].append((false, r.reason.rawValue))
            default: break
            }
        }
        return result
    }

    @Test("S2 S4 S3 the four screens, invalid and forbidden numbers, replays and cross-tenant attempts")
    func decisions() async throws {
        let h = try ServiceHarness()
        let service = try await h.start("settings-service")
        try await Self.configure(h)
        let cases: [(String, any EventPayload, String?)] = [
            ("acc-admin", Self.request("acc-admin", "admin", .account, target: "agent1"), nil),                 // S2 account screen
            ("acc-agent", Self.request("acc-agent", "agent2", .account, target: "agent1"), "permissionDenied"),
            ("my-self", Self.request("my-self", "agent2", .myAccount, target: "agent2", number: "03-5555-6666"), nil),
            ("my-other", Self.request("my-other", "agent2", .myAccount, target: "agent1"), "permissionDenied"),
            ("ops-edit", Self.request("ops-edit", "sup", .callCenterOperations, cc: "cc1", target: "agent1"), nil),
            ("ops-noedit", Self.request("ops-noedit", "sup2", .callCenterOperations, cc: "cc1", target: "agent1"), "permissionDenied"),
            ("ops-nonmember", Self.request("ops-nonmember", "sup", .callCenterOperations, cc: "cc1", target: "outsider"), "notAMember"),
            ("rtm-edit", Self.request("rtm-edit", "sup", .realtimeMonitor, cc: "cc1", target: "agent2", number: "050-1111-2222"), nil),
            ("rtm-agent", Self.request("rtm-agent", "agent1", .realtimeMonitor, cc: "cc1", target: "agent2"), "permissionDenied"),
            ("rtm-nocc", Self.request("rtm-nocc", "sup", .realtimeMonitor, target: "agent2"), "invalidRequest"),
            ("num-bad", Self.request("num-bad", "admin", .account, target: "agent1", number: "09O-1234-5678"), "invalidNumber"),
            ("num-110", Self.request("num-110", "admin", .account, target: "agent1", number: "110"), "forbiddenDestination"),
            ("num-119", Self.request("num-119", "admin", .account, target: "agent1", number: "119"), "forbiddenDestination"),
            ("num-0990", Self.request("num-0990", "admin", .account, target: "agent1", number: "0990-123-456"), "forbiddenDestination"),
            ("num-foreign", Self.request("num-foreign", "admin", .account, target: "agent1", number: "+44 20 7946 0958"), "forbiddenDestination"),
            ("x-target", Self.request("x-target", "admin", .account, target: "bagent"), "unknownAccount"),   // another tenant's account
            ("x-actor", Self.request("x-actor", "badmin", .account, target: "agent1"), "unknownAccount"),    // forged actor claim
        ]
        try await h.publish("cc.settings.commands", tenant: "tenant-a", cases.map(\.1))
        // S3: the same request id again (a new event) changes nothing and gets the same answer.
        try await h.publish("cc.settings.commands", tenant: "tenant-a",
                            [Self.request("acc-admin", "admin", .account, target: "agent1", number: nil)])
        let events = try await h.read("cc.settings.events") { Self.answers($0).values.reduce(0) { $0 + $1.count } >= cases.count + 1 }
        let answers = Self.answers(events)
        for (id, _, reason) in cases {
            let a = try #require(answers[id]?.first, "an answer for \(id)")
            #expect(a.applied == (reason == nil) && a.reason == reason, "\(id): \(a)")
        }
        #expect(answers["acc-admin"]?.count == 2 && answers["acc-admin"]?.allSatisfy { $0.applied } == true, "S3 same answer")
        // The replay (which asked for the softphone) did not apply: agent1 is still on the number set by ops-edit.
        let accounts = try #require(await service.get("/api/accounts?tenant=tenant-a"))
        #expect(accounts.body.contains(#""accountId" : "agent1""#))
        let audit = try #require(await service.get("/api/audit?tenant=tenant-a&account=agent1"))
        let trail = try JSONDecoder().decode([SettingsViews_Audit].self, from: Data(audit.body.utf8))
        #expect(trail.map(\.requestId) == ["ops-edit", "acc-admin"], "S5 newest first, one entry per applied request")
        #expect(trail.first?.screen == "callCenterOperations" && trail.first?.callCenterId == "cc1" && trail.first?.actorAccountId == "sup")
        #expect(trail.last?.previous.kind == "softphone" && trail.last?.current.kind == "externalNumber")
        #expect(!audit.body.contains("9012345678") && audit.body.contains("+81********78"), "numbers are masked")
        await h.stopAll()
    }

    @Test("F4 F5 F10 F11 an applied change carries ACD warnings, advice and disabled features")
    func warnings() async throws {
        let h = try ServiceHarness()
        try await h.start("settings-service")
        try await Self.configure(h)
        try await h.publish("cc.settings.commands", tenant: "tenant-a", [Self.request("w1", "admin", .account, target: "agent1")])
        let events = try await h.read("cc.settings.events") { !$0.isEmpty }
        guard case .deviceChanged(let c) = try #require(events.first).event else { Issue.record("not applied"); return }
        #expect(c.current == ContractDevice(kind: .externalNumber, number: "+819012345678", phoneType: .mobile))
        let acd = try #require(c.warnings.first { $0.code == "acdTimeoutTooShort" })
        #expect(acd.callCenterId == "cc1" && acd.noAnswerTimeoutSeconds == 20 && acd.wrapUpSeconds == 15)
        #expect(c.warnings.contains { $0.code == "personalPhoneAdvice" })
        #expect(c.disabledFeatures == ["crmPopup", "openCti"])
        await h.stopAll()
    }

    @Test("malformed commands and mismatched tenants are dead-lettered, not applied")
    func malformed() async throws {
        let h = try ServiceHarness()
        try await h.start("settings-service")
        try await Self.configure(h)
        try await h.publishRaw("cc.settings.commands", key: "tenant-a", value: #"{"specversion":"1.0","id":"m1","source":"/x","type":"cc.settings.sign-in-device.change-requested.v1","time":"2026-01-01T00:00:00Z","tenantid":"tenant-a","data":{"requestId":"m1","screen":"nowhere"}}"#)
        try await h.publish("cc.config", tenant: "tenant-a", [ConfigEvents.TenantConfigured(Tenant(
            id: "tenant-b", concurrentCallLimit: 99, platformVersion: PlatformVersion("3.2.0")!, callbackDialingOption: false,
            allowInternationalForwarding: true, rates: ChargeRates(mobileYenPerMinute: 1, landlineYenPerMinute: 1, ipPhoneYenPerMinute: 1,
                                                                   billingIncrementSeconds: 1)))])
        let dead = try await h.read("cc.deadletter") { $0.count >= 2 }
        let codes = dead.compactMap { e -> String? in if case .deadLetter(let d) = e.event { d.error.code } else { nil } }
        #expect(codes.sorted() == ["schemaViolation", "tenantMismatch"])
        await h.stopAll()
    }
}

/// The audit view as JSON (kept independent of the service's Swift types).
struct SettingsViews_Audit: Decodable {
    struct Device: Decodable { var kind: String; var number: String? }
    var requestId: String
    var actorAccountId: String
    var screen: String
    var callCenterId: String?
    var previous: Device
    var current: Device
}
