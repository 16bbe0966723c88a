import CallCenterDomain
import Testing

@Suite("S1–S5 sign-in device settings")
struct SettingsRegistryTests {
    /// admin (systemAdministrator, edits cc1), sup (supervisor, edits cc1), sup2 (supervisor, edits nothing),
    /// agentA/agentB (agents in cc1), outsider (agent, in no call center); cc1 with short timeouts, cc2 fine.
    static func registry() -> SettingsRegistry {
        var r = SettingsRegistry(tenantID: Fixtures.tenantID)
        r.configure(Fixtures.tenant())
        for a in [Fixtures.account("admin", .systemAdministrator, editable: ["cc1"]),
                  Fixtures.account("sup", .supervisor, editable: ["cc1"]),
                  Fixtures.account("sup2", .supervisor),
                  Fixtures.account("agentA", .agent), Fixtures.account("agentB", .agent),
                  Fixtures.account("outsider", .agent)] {
            r.configure(a)
        }
        r.configure(Fixtures.callCenter("cc1", members: ["admin", "sup", "sup2", "agentA", "agentB"], noAnswer: 20, wrapUp: 10))
        r.configure(Fixtures.callCenter("cc2", members: ["agentA"], noAnswer: 35, wrapUp: 35))
        return r
    }

    static func request(_ id: String, actor: String, screen: SettingsScreen, cc: String? = nil, target: String,
                        device: DeviceRequest = DeviceRequest(kind: .externalNumber, number: "090-1234-5678")) -> DeviceChangeRequest {
        DeviceChangeRequest(requestID: id, actorAccountID: actor, screen: screen, callCenterID: cc,
                            targetAccountID: target, device: device)
    }

    enum Relation: String, CaseIterable { case itself, memberOfCallCenter, notAMember, unknown }

    /// The S2 table: who may act, on whom, from which screen.
    static func expected(role: Role, screen: SettingsScreen, canEdit: Bool, relation: Relation)
        -> DeviceChangeRejection.Reason? {
        if relation == .unknown { return .unknownAccount }
        switch screen {
        case .account: return role == .agent ? .permissionDenied : nil
        case .myAccount: return relation == .itself ? nil : .permissionDenied
        case .callCenterOperations, .realtimeMonitor:
            if role == .agent || !canEdit { return .permissionDenied }
            return relation == .notAMember ? .notAMember : nil
        }
    }

    @Test("S2 the full permission matrix: role × screen × edit permission × target", arguments:
            Role.allCases.flatMap { role in SettingsScreen.allCases.flatMap { screen in
                [true, false].flatMap { canEdit in Relation.allCases.map { (role, screen, canEdit, $0) } } } })
    func permissionMatrix(role: Role, screen: SettingsScreen, canEdit: Bool, relation: Relation) {
        var r = Self.registry()
        // The actor is a member of cc1, with or without edit permission on it.
        r.configure(Fixtures.account("actor", role, editable: canEdit ? ["cc1"] : []))
        var cc1 = r.callCenters["cc1"]!
        cc1.memberAccountIDs.append("actor")
        r.configure(cc1)
        let target = switch relation {
        case .itself: "actor"
        case .memberOfCallCenter: "agentB"
        case .notAMember: "outsider"
        case .unknown: "ghost"
        }
        let (outcome, _) = r.handle(Self.request("r", actor: "actor", screen: screen, cc: "cc1", target: target),
                                    at: Fixtures.t0)
        let want = Self.expected(role: role, screen: screen, canEdit: canEdit, relation: relation)
        switch outcome {
        case .applied: #expect(want == nil, "S2 \(role) \(screen) edit=\(canEdit) \(relation) should be refused: \(String(describing: want))")
        case .rejected(_, let why, _): #expect(why.reason == want, "S2 \(role) \(screen) edit=\(canEdit) \(relation): \(why.message)")
        }
    }

    @Test("S2 call-center screens act only within the named call center, which must exist")
    func callCenterScope() {
        var r = Self.registry()
        // sup edits cc1 only: agentA is also in cc2, but cc2 gives sup no right.
        #expect(r.handle(Self.request("1", actor: "sup", screen: .realtimeMonitor, cc: "cc2", target: "agentA"), at: Fixtures.t0)
            .outcome.rejection?.reason == .permissionDenied)
        #expect(r.handle(Self.request("2", actor: "sup", screen: .callCenterOperations, cc: nil, target: "agentA"), at: Fixtures.t0)
            .outcome.rejection?.reason == .invalidRequest)
        #expect(r.handle(Self.request("3", actor: "sup", screen: .callCenterOperations, cc: "nope", target: "agentA"), at: Fixtures.t0)
            .outcome.rejection?.reason == .invalidRequest)
    }

    @Test("S2 another tenant's accounts are unknown here, whatever the command claims")
    func crossTenant() {
        var r = Self.registry()
        r.configure(Fixtures.account("foreignAdmin", .systemAdministrator, tenant: "tenant-b"))
        #expect(r.handle(Self.request("x", actor: "foreignAdmin", screen: .account, target: "agentA"), at: Fixtures.t0)
            .outcome.rejection?.reason == .unknownAccount)
        #expect(r.handle(Self.request("y", actor: "ghost", screen: .account, target: "agentA"), at: Fixtures.t0)
            .outcome.rejection?.reason == .unknownAccount)
        #expect(r.device(of: "agentA") == .softphone)
    }

    @Test("S1 a number is required for an external number and forbidden for the softphone")
    func deviceShape() {
        var r = Self.registry()
        let noNumber = r.handle(Self.request("a", actor: "admin", screen: .account, target: "agentA",
                                             device: DeviceRequest(kind: .externalNumber)), at: Fixtures.t0)
        #expect(noNumber.outcome.rejection?.reason == .invalidRequest)
        let softWithNumber = r.handle(Self.request("b", actor: "admin", screen: .account, target: "agentA",
                                                   device: DeviceRequest(kind: .softphone, number: "0312345678")), at: Fixtures.t0)
        #expect(softWithNumber.outcome.rejection?.reason == .invalidRequest)
        let ok = r.handle(Self.request("c", actor: "admin", screen: .account, target: "agentA"), at: Fixtures.t0)
        #expect(ok.outcome.change?.current == Fixtures.mobile)
        #expect(r.device(of: "agentA") == Fixtures.mobile)
        let back = r.handle(Self.request("d", actor: "agentA", screen: .myAccount, target: "agentA",
                                         device: DeviceRequest(kind: .softphone)), at: Fixtures.t0)
        #expect(back.outcome.change?.previous == Fixtures.mobile)
        #expect(r.device(of: "agentA") == .softphone)
    }

    @Test("S4 invalid and forbidden numbers are refused with their reason", arguments: [
        ("110", DeviceChangeRejection.Reason.forbiddenDestination), ("119", .forbiddenDestination),
        ("0990-123-456", .forbiddenDestination), ("+44 20 7946 0958", .forbiddenDestination),
        ("090-12", .invalidNumber), ("phone", .invalidNumber),
    ])
    func numbers(raw: String, reason: DeviceChangeRejection.Reason) {
        var r = Self.registry()
        let o = r.handle(Self.request("n", actor: "admin", screen: .account, target: "agentA",
                                      device: DeviceRequest(kind: .externalNumber, number: raw)), at: Fixtures.t0)
        #expect(o.outcome.rejection?.reason == reason)
        #expect(r.device(of: "agentA") == .softphone)
    }

    @Test("S4 an explicit phone type must agree with the number; a foreign one takes it when allowed")
    func explicitType() {
        var r = Self.registry()
        let wrong = r.handle(Self.request("t1", actor: "admin", screen: .account, target: "agentA",
                                          device: DeviceRequest(kind: .externalNumber, number: "09012345678", phoneType: .landline)),
                             at: Fixtures.t0)
        #expect(wrong.outcome.rejection?.reason == .invalidNumber)
        r.configure(Fixtures.tenant(international: true))
        let foreign = r.handle(Self.request("t2", actor: "admin", screen: .account, target: "agentA",
                                            device: DeviceRequest(kind: .externalNumber, number: "+442079460958", phoneType: .landline)),
                               at: Fixtures.t0)
        #expect(foreign.outcome.change?.current.phoneType == .landline)
    }

    @Test("S3 the result carries the request id; the same request twice changes nothing the second time")
    func idempotent() {
        var r = Self.registry()
        let first = r.handle(Self.request("req-1", actor: "admin", screen: .account, target: "agentA"), at: Fixtures.t0)
        #expect(first.outcome.requestID == "req-1" && !first.replay)
        let auditCount = r.audit.count
        let second = r.handle(Self.request("req-1", actor: "admin", screen: .account, target: "agentA",
                                           device: DeviceRequest(kind: .softphone)), at: Fixtures.t0.adding(seconds: 5))
        #expect(second.replay)
        #expect(second.outcome == first.outcome)
        #expect(r.audit.count == auditCount)
        #expect(r.device(of: "agentA") == Fixtures.mobile)
        let rejected = r.handle(Self.request("req-2", actor: "agentB", screen: .account, target: "agentA"), at: Fixtures.t0)
        #expect(r.handle(Self.request("req-2", actor: "agentB", screen: .account, target: "agentA"), at: Fixtures.t0).outcome
            == rejected.outcome)
    }

    @Test("S5 every change is audited: who, which screen, old and new device, when; newest first")
    func audit() {
        var r = Self.registry()
        _ = r.handle(Self.request("1", actor: "sup", screen: .callCenterOperations, cc: "cc1", target: "agentA"), at: Fixtures.t0)
        _ = r.handle(Self.request("2", actor: "agentA", screen: .myAccount, target: "agentA",
                                  device: DeviceRequest(kind: .externalNumber, number: "03-1234-5678")), at: Fixtures.t0.adding(seconds: 60))
        _ = r.handle(Self.request("3", actor: "agentB", screen: .account, target: "agentA"), at: Fixtures.t0.adding(seconds: 90))
        let trail = r.auditTrail(accountID: "agentA")
        #expect(trail.count == 2)
        #expect(trail[0].requestID == "2" && trail[0].screen == .myAccount && trail[0].actorAccountID == "agentA")
        #expect(trail[0].previous == Fixtures.mobile && trail[0].current == Fixtures.landline)
        #expect(trail[1].screen == .callCenterOperations && trail[1].callCenterID == "cc1" && trail[1].at == Fixtures.t0)
    }

    @Test("F4 switching to an external number warns about call centers with ACD timeouts below 30 s")
    func acdWarning() throws {
        var r = Self.registry()
        let change = try #require(r.handle(Self.request("w", actor: "admin", screen: .account, target: "agentA"),
                                           at: Fixtures.t0).outcome.change)
        let acd = change.warnings.filter { $0.code == .acdTimeoutTooShort }
        #expect(acd.count == 1)
        #expect(acd.first?.callCenterID == "cc1" && acd.first?.noAnswerTimeoutSeconds == 20 && acd.first?.wrapUpSeconds == 10)
        #expect(acd.first?.message.contains("Center cc1") == true)
        let soft = try #require(r.handle(Self.request("s", actor: "admin", screen: .account, target: "agentA",
                                                      device: DeviceRequest(kind: .softphone)), at: Fixtures.t0).outcome.change)
        #expect(soft.warnings.isEmpty)
    }

    @Test("F5 changing to an external number returns the personal-phone advice")
    func advice() throws {
        var r = Self.registry()
        let change = try #require(r.handle(Self.request("a", actor: "admin", screen: .account, target: "agentB"),
                                           at: Fixtures.t0).outcome.change)
        let advice = try #require(change.warnings.first { $0.code == .personalPhoneAdvice })
        #expect(advice.message.contains("voicemail") && advice.message.contains("switched on"))
    }

    @Test("F10 F11 an external number disables the CRM popup and OpenCTI")
    func disabledFeatures() throws {
        var r = Self.registry()
        let ext = try #require(r.handle(Self.request("e", actor: "admin", screen: .account, target: "agentB"), at: Fixtures.t0).outcome.change)
        #expect(ext.disabledFeatures == [.crmPopup, .openCti])
        let soft = try #require(r.handle(Self.request("s", actor: "admin", screen: .account, target: "agentB",
                                                      device: DeviceRequest(kind: .softphone)), at: Fixtures.t0).outcome.change)
        #expect(soft.disabledFeatures.isEmpty)
    }
}

extension DeviceChangeOutcome {
    var rejection: DeviceChangeRejection? {
        if case .rejected(_, let r, _) = self { return r }
        return nil
    }
    var change: DeviceChange? {
        if case .applied(let c) = self { return c }
        return nil
    }
}
