import CallCenterDomain
import EventContract

/// One event of every contract type, built through the Swift types.
enum Samples {
    static let t = Timestamp(seconds: 1_800_000_000)
    static let at = EventTime(t)
    static let tenant = Tenant(id: "tenant-a", concurrentCallLimit: 10, platformVersion: PlatformVersion("3.2.0")!,
                               callbackDialingOption: true, allowInternationalForwarding: false,
                               rates: ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8,
                                                  billingIncrementSeconds: 30))
    static let callCenter = CallCenter(id: "cc1", tenantID: "tenant-a", name: "Support", externalNumber: "+81312345678",
                                       noAnswerTimeoutSeconds: 35, wrapUpSeconds: 30, memberAccountIDs: ["a1", "a2"],
                                       answerConfirmation: AnswerConfirmation(enabled: true, key: "1", withinSeconds: 5, declineKey: "9"),
                                       allowPersonalPhones: true,
                                       persistentConnection: PersistentConnectionSettings(idleMinutes: 15),
                                       agentAnnouncement: AgentAnnouncement(enabled: true, includeCallerNumber: true))
    static let mobile = SignInDevice.externalNumber(try! PhoneNumber.parse("09012345678"), .mobile)
    static let plan = DeliveryPlan.make(accountID: "a1", device: mobile, callCenter: callCenter, callerNumber: "+81311112222")
    /// F12, F15: bridged onto an agent leg, with the announcement.
    static let legPlan = DeliveryPlan.make(
        accountID: "a1", device: mobile, callCenter: callCenter, callerNumber: "+81311112222", leg: "leg-1",
        announcement: DeliveryAnnouncement(callCenterName: "Support", waitedSeconds: 12, callerNumberLast4: "2222"))

    static var all: [any EventPayload] {
        [
            ConfigEvents.TenantConfigured(tenant),
            ConfigEvents.CallCenterConfigured(callCenter),
            ConfigEvents.AccountConfigured(Account(id: "a1", tenantID: "tenant-a", name: "Aoi", role: .agent, extension: "201",
                                                   editableCallCenterIDs: ["cc1"])),
            SettingsEvents.ChangeRequested(requestId: "r1", actorAccountId: "sup", screen: .realtimeMonitor, callCenterId: "cc1",
                                           targetAccountId: "a1", device: ContractDevice(kind: .externalNumber, number: "090-1234-5678",
                                                                                         persistentConnection: true)),
            SettingsEvents.Changed(DeviceChange(requestID: "r1", accountID: "a1", previous: .softphone, current: mobile,
                                                actorAccountID: "sup", screen: .realtimeMonitor, callCenterID: "cc1",
                                                warnings: DeviceChangeAdvice.warnings(for: mobile, callCenters: [callCenter], persistentConnection: true),
                                                disabledFeatures: [.crmPopup, .openCti], at: t, revision: 1,
                                                persistentConnection: true)),
            SettingsEvents.ChangeRejected(requestId: "r2", targetAccountId: "a1",
                                          rejection: DeviceChangeRejection(.permissionDenied, "no")),
            TelephonyEvents.PresenceChanged(accountId: "a1", presence: .available, at: at),
            TelephonyEvents.CallOffered(callId: "c1", callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81312345678", at: at),
            TelephonyEvents.AgentAnswered(callId: "c1", accountId: "a1", at: at),
            TelephonyEvents.AgentVoicemailDetected(callId: "c1", accountId: "a1", at: at),
            TelephonyEvents.AgentNoAnswer(callId: "c1", accountId: "a1", reason: .timeout, at: at),
            TelephonyEvents.AgentLegConnected(accountId: "a1", legId: "leg-1", at: at),
            TelephonyEvents.AgentLegFailed(accountId: "a1", legId: "leg-1", reason: .busy, at: at),
            TelephonyEvents.AgentLegDisconnected(accountId: "a1", legId: "leg-1", at: at),
            TelephonyEvents.Dtmf(callId: "c1", accountId: "a1", key: "*", at: at),
            TelephonyEvents.HoldChanged(callId: "c1", accountId: "a1", held: true, at: at),
            TelephonyEvents.CallEnded(callId: "c1", at: at),
            TelephonyEvents.MonitorRequested(requestId: "m1", supervisorAccountId: "sup", targetAccountId: "a1", mode: .whisper, at: at),
            TelephonyEvents.OutboundRequested(requestId: "o1", accountId: "a1", to: "0311112222", via: .callbackDialing, at: at),
            TelephonyEvents.SeatViewDialed(callId: "c9", fromAccountId: "a2", toAccountId: "a1", at: at),
            TelephonyEvents.ClockTick(at: at),
            RoutingEvents.OfferedToAgent(callId: "c1", callCenterId: "cc1", plan: plan, attempt: 1, at: t),
            RoutingEvents.CallQueued(callId: "c1", callCenterId: "cc1", position: 1, reason: .noAgentAvailable, at: t),
            RoutingEvents.CallRejected(callId: "c2", reason: .concurrentCallLimitReached, at: t),
            RoutingEvents.OfferCancelled(callId: "c1", accountId: "a1", reason: .answerNotConfirmed, at: t),
            RoutingEvents.AgentNoAnswerRecorded(callId: "c1", accountId: "a1", reason: .timeout, consecutiveNoAnswers: 3,
                                                setAway: true, callCenterId: "cc1", at: t),
            RoutingEvents.MonitorDecided(requestId: "m1", allowed: false, reason: "supervisorOnPersonalPhone",
                                         supervisorAccountId: "sup", targetAccountId: "a1", mode: .monitor, callId: nil),
            RoutingEvents.OutboundDecided(requestId: "o1", allowed: true, reason: "allowed", presentedCallerId: "+81312345678",
                                          channels: 2, accountId: "a1", to: "+81311112222", via: .callbackDialing, device: .externalNumber),
            RoutingEvents.SeatViewCallLabelled(callId: "c9", fromAccountId: "a2", toAccountId: "a1", fromLabel: .outboundCall,
                                               toLabel: .externalCall),
            CallCommandEvents.Hold(callId: "c1", accountId: "a1"),
            CallCommandEvents.Unhold(callId: "c1", accountId: "a1"),
            CallCommandEvents.Park(callId: "c1", accountId: "a1"),
            CallCommandEvents.Transfer(callId: "c1", accountId: "a1", mode: .blind, target: .external(try! PhoneNumber.parse("0312345678"))),
            CallCommandEvents.DtmfRejected(callId: "c1", accountId: "a1", keys: "#110", reason: .forbiddenDestination),
            CallCommandEvents.AgentLegOpen(accountId: "a1", legId: "leg-1", dialNumber: "+819012345678",
                                           presentedCallerId: "+81312345678", callCenterId: "cc1"),
            CallCommandEvents.AgentLegClose(accountId: "a1", legId: "leg-1", reason: .idleTimeout),
            StatusEvents.StatusChanged(accountId: "a1", status: .talking, device: .externalNumber, phoneType: .landline, callId: "c1",
                                       holdCount: 0, reason: nil, at: at),
            StatusEvents.ChannelsChanged(ChannelChange(callID: "c1", delta: 1, inUse: 2, limit: 10), at: t),
            StatusEvents.DeadLetter(originalTopic: "cc.telephony.events", partition: 3, offset: 42, key: "tenant-a",
                                    error: .init(code: "invalidJSON", message: "the value is not valid JSON"),
                                    payloadBase64: "e25vdA==", service: "routing-service", at: at),
        ]
    }

    /// Other forms of some types (F12 agent legs, F15 announcement): checked wherever `all` is, but for the one-per-type count.
    static var variants: [any EventPayload] {
        [
            RoutingEvents.OfferedToAgent(callId: "c3", callCenterId: "cc1", plan: legPlan, attempt: 1, at: t),
            StatusEvents.ChannelsChanged(ChannelChange(legID: "leg-1", delta: 1, inUse: 3, limit: 10), at: t),
            StatusEvents.StatusChanged(accountId: "a1", status: .available, device: .externalNumber, phoneType: .mobile, callId: nil,
                                       holdCount: 0, reason: nil, at: at, legConnected: true),
        ]
    }

    /// `all` and `variants`.
    static var every: [any EventPayload] { all + variants }

    static func encode(_ p: any EventPayload, id: String) -> [UInt8] {
        func go<P: EventPayload>(_ p: P) -> [UInt8] {
            CloudEventCodec.encode(p, id: id, source: "/tests", time: t, tenantID: "tenant-a", subject: "s")
        }
        return go(p)
    }
}
