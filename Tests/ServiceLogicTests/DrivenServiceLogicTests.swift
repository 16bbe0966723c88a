import CallCenterDomain
import EventContract
import Foundation
import ServiceRuntime
import SettingsService
import StatusService
import Testing

/// settings-service's and status-service's rules through the runtime's own path without a broker
/// (`ProcessorTestDriver`): every event encoded, decoded, checked and deduplicated as the service does it; the
/// outputs read back as the service produces them. (routing-service: `ProcessorTestDriverTests`; report-service:
/// `ReportTests`, `DeclineAndVoicemailReportTests`, `AgentLegReportTests`.)
@Suite("Service logic on the test driver")
struct DrivenServiceLogicTests {
    static let t0 = Timestamp(seconds: 1_800_000_000)
    static let tenant = "tenant-l"

    /// The tenant, its call center Support (member a1, 5 s of wrap-up) and accounts admin, a1, a2: on `.config`.
    static func configure<P: EventProcessor>(_ d: inout ProcessorTestDriver<P>) {
        d.configureTenant(tenant, members: ["a1"])
        for (id, role, ext) in [("admin", Role.systemAdministrator, "20001"), ("a1", .agent, "20002"), ("a2", .agent, "20003")] {
            d.send(ConfigEvents.AccountConfigured(Account(id: id, tenantID: tenant, name: id, role: role, extension: ext)),
                   on: .config, tenant: tenant, id: "cfg-\(id)", time: t0)
        }
    }

    static func changeRequest(_ request: String, actor: String, screen: SettingsScreen, target: String,
                              number: String) -> SettingsEvents.ChangeRequested {
        SettingsEvents.ChangeRequested(requestId: request, actorAccountId: actor, screen: screen, targetAccountId: target,
                                       device: ContractDevice(kind: .externalNumber, number: number, phoneType: .mobile))
    }

    @Test("S1 S3 an agent's own change on My Account is applied and announced once; a retry of the request answers the same without applying it again")
    func settingsApplied() throws {
        var d = ProcessorTestDriver(SettingsProcessor(), service: "settings-service", clock: Self.t0)
        Self.configure(&d)
        let request = Self.changeRequest("r1", actor: "a1", screen: .myAccount, target: "a1", number: "09012345678")
        let first = d.send(request, on: .settingsCommands, tenant: Self.tenant, id: "cmd-1", time: Self.t0)
        let changes = first.compactMap { o -> SettingsEvents.Changed? in if case .deviceChanged(let c) = o.event.event { c } else { nil } }
        #expect(first.allSatisfy { $0.topic == "cc.settings.events" })
        let change = try #require(changes.first, "types: \(first.map(\.event.attributes.type))")
        #expect(changes.count == 1 && change.accountId == "a1" && change.current.kind == .externalNumber
                && change.current.number == "+819012345678" && change.previous.kind == .softphone)
        // The admin app sends the same request again (a new event: it timed out waiting for the answer).
        let retry = d.send(request, on: .settingsCommands, tenant: Self.tenant, id: "cmd-1-retry", time: Self.t0.adding(seconds: 1))
        let again = retry.compactMap { o -> SettingsEvents.Changed? in if case .deviceChanged(let c) = o.event.event { c } else { nil } }
        #expect(again.map(\.revision) == [change.revision], "the same outcome, the same revision: not applied twice")
        // The very same event delivered twice is applied once.
        #expect(d.send(request, on: .settingsCommands, tenant: Self.tenant, id: "cmd-1", time: Self.t0).isEmpty)
    }

    @Test("S2 an agent cannot change another agent's device: refused with permissionDenied, nothing applied")
    func settingsRefused() {
        var d = ProcessorTestDriver(SettingsProcessor(), service: "settings-service", clock: Self.t0)
        Self.configure(&d)
        let outputs = d.send(Self.changeRequest("r2", actor: "a1", screen: .account, target: "a2", number: "09012345678"),
                             on: .settingsCommands, tenant: Self.tenant, id: "cmd-2", time: Self.t0)
        let rejections = outputs.compactMap { o -> SettingsEvents.ChangeRejected? in
            if case .deviceChangeRejected(let r) = o.event.event { r } else { nil }
        }
        #expect(rejections.map(\.reason) == [.permissionDenied], "types: \(outputs.map(\.event.attributes.type))")
        #expect(!outputs.contains { if case .deviceChanged = $0.event.event { true } else { false } })
    }

    static func statuses(_ outputs: [ProcessorTestDriver<StatusProcessor>.Output]) -> [AgentStatus] {
        outputs.compactMap { o in if case .statusChanged(let s) = o.event.event, s.accountId == "a1" { s.status } else { nil } }
    }

    @Test("T1 status-service follows an agent through a call from telephony and routing's decisions: available, ringing, talking, wrap-up, and available again when wrap-up ends on its clock")
    func statusThroughACall() {
        var d = ProcessorTestDriver(StatusProcessor(), service: "status-service", clock: Self.t0)
        Self.configure(&d)
        func at(_ s: Int) -> Timestamp { Self.t0.adding(seconds: s) }
        #expect(Self.statuses(d.send(TelephonyEvents.PresenceChanged(accountId: "a1", presence: .available, at: EventTime(at(1))),
                                     on: .telephonyEvents, tenant: Self.tenant, id: "p1", time: at(1))) == [.available])
        let callCenter = ProcessorTestDriver<StatusProcessor>.supportCenter(Self.tenant, members: ["a1"])
        let plan = DeliveryPlan.make(accountID: "a1", device: .softphone, callCenter: callCenter, callerNumber: "+81311112222")
        d.send(TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222",
                                           dialedNumber: "+81399990000", at: EventTime(at(2))),
               on: .telephonyEvents, tenant: Self.tenant, id: "o1", time: at(2))
        #expect(Self.statuses(d.send(RoutingEvents.OfferedToAgent(callId: "c1", callCenterId: "cc1", plan: plan, attempt: 1, at: at(2)),
                                     on: .routingDecisions, tenant: Self.tenant, id: "d1", time: at(2))) == [.ringing])
        #expect(Self.statuses(d.send(TelephonyEvents.AgentAnswered(callId: "c1", accountId: "a1", at: EventTime(at(3))),
                                     on: .telephonyEvents, tenant: Self.tenant, id: "a1", time: at(3))) == [.talking])
        #expect(Self.statuses(d.send(TelephonyEvents.CallEnded(callId: "c1", at: EventTime(at(10))),
                                     on: .telephonyEvents, tenant: Self.tenant, id: "x1", time: at(10))) == [.wrapUp])
        #expect(Self.statuses(d.advance(to: at(14))).isEmpty, "wrap-up lasts 5 s")
        #expect(Self.statuses(d.advance(to: at(15))) == [.available])
    }
}
