import CallCenterDomain
import EventContract
import Foundation
import RoutingService
import ServiceRuntime
import Testing

/// The runtime's rules for every event, through the event loop's own decide path without a broker
/// (`ProcessorTestDriver`): dedup, dead letters, timers, restore; routing-service as the processor.
@Suite("The runtime's batch decisions without a broker")
struct ProcessorTestDriverTests {
    static let t0 = Timestamp(seconds: 1_800_000_000)
    static let tenant = "tenant-d"

    static func configured() -> ProcessorTestDriver<RoutingProcessor> {
        var d = ProcessorTestDriver(RoutingProcessor(), service: "routing-service", clock: t0)
        d.configureTenant(tenant, members: ["a1"])
        d.send(TelephonyEvents.PresenceChanged(accountId: "a1", presence: .available, at: EventTime(t0)),
               on: .telephonyEvents, tenant: tenant, id: "p-1", time: t0)
        return d
    }

    static func offered(_ call: String, at second: Int) -> TelephonyEvents.CallOffered {
        TelephonyEvents.CallOffered(callId: call, callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81399990000",
                                    at: EventTime(t0.adding(seconds: second)))
    }

    static func types(_ outputs: [ProcessorTestDriver<RoutingProcessor>.Output]) -> [String] { outputs.map(\.event.attributes.type) }

    @Test("an event is applied once: the same source and id again changes nothing and emits nothing; another source's same id is another event")
    func dedup() {
        var d = Self.configured()
        let first = d.send(Self.offered("c1", at: 1), on: .telephonyEvents, tenant: Self.tenant, id: "e-1", time: Self.t0)
        #expect(Self.types(first) == ["cc.usage.channels-changed.v1", "cc.routing.offered-to-agent.v1"])
        let state = d.state(of: Self.tenant)
        #expect(d.send(Self.offered("c1", at: 1), on: .telephonyEvents, tenant: Self.tenant, id: "e-1", time: Self.t0).isEmpty)
        #expect(d.state(of: Self.tenant) == state)
        let other = d.send(Self.offered("c2", at: 2), on: .telephonyEvents, tenant: Self.tenant, id: "e-1", time: Self.t0, source: "/pbx-2")
        #expect(Self.types(other).contains("cc.routing.call-queued.v1"), "c2 waits: a1 has c1")
    }

    @Test("every refusal is a dead letter with its code, and changes nothing: not JSON, a type of another topic, a key of another tenant, an unconfigured tenant, a time far ahead, a handler's rejection")
    func deadLetters() {
        var d = Self.configured()
        let state = d.state(of: Self.tenant)
        func code(_ outputs: [ProcessorTestDriver<RoutingProcessor>.Output]) -> String? { outputs.first?.deadLetter?.error.code }
        #expect(code(d.sendRaw(Array("{not json".utf8), on: .telephonyEvents, key: Self.tenant)) == "invalidJSON")
        #expect(code(d.send(RoutingEvents.CallRejected(callId: "x", reason: .duplicateCall, at: Self.t0), on: .telephonyEvents,
                            tenant: Self.tenant, id: "w-1", time: Self.t0)) == "typeNotAllowedOnTopic")
        let misKeyed = CloudEventCodec.encode(Self.offered("c9", at: 1), id: "k-1", source: "/t", time: Self.t0, tenantID: Self.tenant,
                                              subject: nil)
        #expect(code(d.sendRaw(misKeyed, on: .telephonyEvents, key: "tenant-other")) == "keyMismatch")
        #expect(code(d.send(Self.offered("c9", at: 1), on: .telephonyEvents, tenant: "tenant-nobody", id: "u-1", time: Self.t0))
            == "tenantNotConfigured")
        #expect(code(d.send(Self.offered("c9", at: 1), on: .telephonyEvents, tenant: Self.tenant, id: "f-1",
                            time: Self.t0.adding(seconds: 86_400))) == "eventTimeInFuture")
        let badDevice = SettingsEvents.Changed(DeviceChange(requestID: "r", accountID: "a1", previous: .softphone, current: .softphone,
                                                            actorAccountID: "a1", screen: .myAccount, callCenterID: nil, warnings: [],
                                                            disabledFeatures: [], at: Self.t0))
        var broken = badDevice
        broken.current = ContractDevice(kind: .externalNumber, number: "not a number")
        #expect(code(d.send(broken, on: .settingsEvents, tenant: Self.tenant, id: "h-1", time: Self.t0)) == "invalidDevice")
        #expect(d.state(of: Self.tenant) == state, "nothing applied")
        #expect(d.state(of: "tenant-nobody") == nil, "no state for a tenant nobody configured")
    }

    @Test("an input's W3C traceparent goes onto every event derived from it; a timer's outputs start no trace; an invalid one is not passed on")
    func traceparent() {
        var d = Self.configured()
        let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let outputs = d.send(Self.offered("c1", at: 1), on: .telephonyEvents, tenant: Self.tenant, id: "o-1",
                             time: Self.t0.adding(seconds: 1), traceparent: trace)
        #expect(!outputs.isEmpty && outputs.allSatisfy { $0.event.attributes.traceparent == trace }, "\(Self.types(outputs))")
        let expired = d.advance(to: Self.t0.adding(seconds: 40))
        #expect(!expired.isEmpty && expired.allSatisfy { $0.event.attributes.traceparent == nil }, "the ring timeout: \(Self.types(expired))")
        let invalid = d.send(Self.offered("c2", at: 41), on: .telephonyEvents, tenant: Self.tenant, id: "o-2",
                             time: Self.t0.adding(seconds: 41), traceparent: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")
        #expect(!invalid.isEmpty && invalid.allSatisfy { $0.event.attributes.traceparent == nil && $0.deadLetter == nil })
    }

    @Test("A2 timers fire on the service's clock: the ring timeout cancels the offer when the clock passes it, not before")
    func timers() {
        var d = Self.configured()
        d.send(Self.offered("c1", at: 1), on: .telephonyEvents, tenant: Self.tenant, id: "e-1", time: Self.t0)
        #expect(d.advance(to: Self.t0.adding(seconds: 30)).isEmpty)
        let fired = d.advance(to: Self.t0.adding(seconds: 31))
        #expect(fired.contains { if case .offerCancelled(let c) = $0.event.event { c.callId == "c1" && c.reason == .timeout } else { false } })
        #expect(fired.allSatisfy { $0.event.attributes.source == "/routing-service" })
    }

    @Test("F12 restore: every tenant rebuilt from its stored entities equals the live state, and goes on the same (a persistent leg included)")
    func restore() throws {
        var d = Self.configured()
        d.send(SettingsEvents.Changed(DeviceChange(requestID: "r1", accountID: "a1", previous: .softphone,
                                                   current: .externalNumber(try PhoneNumber.parse("090-1234-5678"), .mobile),
                                                   actorAccountID: "a1", screen: .myAccount, callCenterID: nil, warnings: [],
                                                   disabledFeatures: [], at: Self.t0, revision: 1, persistentConnection: true)),
               on: .settingsEvents, tenant: Self.tenant, id: "s-1", time: Self.t0)
        let legOpen = try #require(d.state(of: Self.tenant)?.agentLegs["a1"])
        d.send(TelephonyEvents.AgentLegConnected(accountId: "a1", legId: legOpen.id, at: EventTime(Self.t0.adding(seconds: 2))),
               on: .telephonyEvents, tenant: Self.tenant, id: "l-1", time: Self.t0)
        let live = d.state(of: Self.tenant)
        var restarted = d
        try restarted.restart()
        #expect(restarted.state(of: Self.tenant) == live)
        let a = d.send(Self.offered("c1", at: 5), on: .telephonyEvents, tenant: Self.tenant, id: "e-1", time: Self.t0)
        let b = restarted.send(Self.offered("c1", at: 5), on: .telephonyEvents, tenant: Self.tenant, id: "e-1", time: Self.t0)
        #expect(a.map(\.event) == b.map(\.event), "the same outputs, ids included")
        #expect(a.contains { if case .offeredToAgent(let o) = $0.event.event { o.delivery == .persistentLeg } else { false } })
        // Re-delivered after the restart: still applied once.
        #expect(restarted.send(Self.offered("c1", at: 5), on: .telephonyEvents, tenant: Self.tenant, id: "e-1", time: Self.t0).isEmpty)
    }
}
