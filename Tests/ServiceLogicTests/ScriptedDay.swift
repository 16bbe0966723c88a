import CallCenterDomain
import EventContract

/// A scripted day of tenant-a (limit 3; rates mobile ¥16.5/min, landline ¥8.8/min, IP ¥8/min, 30 s increments)
/// with call center cc1 and agents m (mobile), l (landline), s (softphone). Times in seconds from t0.
enum ScriptedDay {
    static let t0 = Timestamp(seconds: 1_800_000_000)
    static func at(_ s: Int) -> EventTime { EventTime(t0.adding(seconds: s)) }
    static let rates = ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8, billingIncrementSeconds: 30)
    static let tenant = Tenant(id: "tenant-a", concurrentCallLimit: 3, platformVersion: PlatformVersion("3.2.0")!,
                               callbackDialingOption: true, allowInternationalForwarding: false, rates: rates)
    static let center = CallCenter(id: "cc1", tenantID: "tenant-a", name: "Support", externalNumber: "+81399990000",
                                   noAnswerTimeoutSeconds: 35, wrapUpSeconds: 30, memberAccountIDs: ["m", "l", "s"])
    static let devices: [String: SignInDevice] = [
        "m": .externalNumber(try! PhoneNumber.parse("09012345678"), .mobile),
        "l": .externalNumber(try! PhoneNumber.parse("0612345678"), .landline),
        "s": .softphone,
    ]

    static func offer(_ call: String, _ second: Int, _ cc: String = "cc1") -> any EventPayload {
        TelephonyEvents.CallOffered(callId: call, callCenterId: cc, callerNumber: "+81311112222", dialedNumber: "+81399990000", at: at(second))
    }
    static func ring(_ call: String, _ agent: String, _ second: Int) -> any EventPayload {
        RoutingEvents.OfferedToAgent(callId: call, callCenterId: "cc1", plan: DeliveryPlan.make(
            accountID: agent, device: devices[agent]!, callCenter: center, callerNumber: "+81311112222"), attempt: 1, at: t0.adding(seconds: second))
    }
    static func answer(_ call: String, _ agent: String, _ second: Int) -> any EventPayload {
        TelephonyEvents.AgentAnswered(callId: call, accountId: agent, at: at(second))
    }
    static func end(_ call: String, _ second: Int) -> any EventPayload { TelephonyEvents.CallEnded(callId: call, at: at(second)) }
    static func hold(_ call: String, _ agent: String, _ held: Bool, _ second: Int) -> any EventPayload {
        TelephonyEvents.HoldChanged(callId: call, accountId: agent, held: held, at: at(second))
    }
    static func usage(_ inUse: Int, _ delta: Int, _ second: Int) -> any EventPayload {
        StatusEvents.ChannelsChanged(ChannelChange(callID: "x", delta: delta, inUse: inUse, limit: 3), at: t0.adding(seconds: second))
    }
    static func outbound(_ id: String, _ agent: String, _ via: OutboundPolicy.Via, allowed: Bool) -> any EventPayload {
        RoutingEvents.OutboundDecided(requestId: id, allowed: allowed, reason: allowed ? "allowed" : "personalPhoneCannotPresentPlatformNumber",
                                      presentedCallerId: allowed ? "+81399990000" : nil, channels: allowed ? 1 : 0, accountId: agent,
                                      to: "+81311112222", via: via, device: devices[agent]!.kind)
    }

    /// The day, in order, with the topic each event travels on.
    static var events: [(topic: String, payload: any EventPayload)] {
        let config: [any EventPayload] = [ConfigEvents.TenantConfigured(tenant), ConfigEvents.CallCenterConfigured(center)]
        let calls: [any EventPayload] = [
            // A: mobile m, wait 10 s, talk 95 s → billed 120 s → 120 × 1650 / 60 = 3300 sen
            offer("A", 0), ring("A", "m", 0), answer("A", "m", 10), end("A", 105),
            // B: softphone s, wait 6 s, two holds (counted), talk 120 s
            offer("B", 20), ring("B", "s", 20), answer("B", "s", 26), hold("B", "s", true, 40), hold("B", "s", false, 50),
            hold("B", "s", true, 60), end("B", 146),
            // C: landline l, wait 4 s, a hold on the personal phone (not counted, P1), talk 31 s → billed 60 s → 880 sen
            offer("C", 30), ring("C", "l", 30), answer("C", "l", 34), hold("C", "l", true, 40), end("C", 65),
            // D: refused at the limit
            offer("D", 40), RoutingEvents.CallRejected(callId: "D", reason: .concurrentCallLimitReached, at: t0.adding(seconds: 40)),
            // E: waits, the customer hangs up: abandoned
            offer("E", 50), RoutingEvents.CallQueued(callId: "E", callCenterId: "cc1", position: 1, reason: .noAgentAvailable,
                                                     at: t0.adding(seconds: 50)), end("E", 70),
            // F: m does not answer (35 s), s answers 5 s after being rung; wait 40 s, talk 60 s
            offer("F", 200), ring("F", "m", 200),
            RoutingEvents.OfferCancelled(callId: "F", accountId: "m", reason: .timeout, at: t0.adding(seconds: 235)),
            ring("F", "s", 235), answer("F", "s", 240), end("F", 300),
            // G: mobile m, wait 1 s, talk 30 s → billed 30 s → 825 sen
            offer("G", 400), ring("G", "m", 400), answer("G", "m", 401), end("G", 431),
            // Outbound (P2): m's direct call refused, m's callback counted, m's direct "allowed" (old platform) not counted,
            // s's direct counted.
            outbound("o1", "m", .direct, allowed: false), outbound("o2", "m", .callbackDialing, allowed: true),
            outbound("o3", "m", .direct, allowed: true), outbound("o4", "s", .direct, allowed: true),
            // Channels (P4): at the limit from 20 s to 105 s.
            usage(1, 1, 0), usage(2, 1, 0), usage(3, 1, 20), usage(1, -2, 105), usage(0, -1, 146),
        ]
        return config.map { ("cc.config", $0) } + calls.map { p in
            let t = type(of: p).eventType
            let topic = t.hasPrefix("cc.routing.") ? "cc.routing.decisions" : t.hasPrefix("cc.usage.") ? "cc.usage" : "cc.telephony.events"
            return (topic, p)
        }
    }
}
