import CallCenterDomain
import PropertyBased
import Synchronization
import Testing

/// F3 with F12: agent legs and customer calls share one contract limit.
@Suite("F3 F12 channel ledger with agent legs")
struct LegLedgerPropertyTests {
    struct Figures {
        var sequences = 0, events = 0, peakAtLimit = 0, legsOpened = 0, legsClosed = 0, bridged = 0, perCall = 0,
            refused = 0, maxInUse = 0
    }

    static let agents = ["p1", "p2", "m1", "s1"]

    @Test("F3 F12 property: under random calls, presence, leg and device events at the contract limit, channels never exceed it, the ledger always equals the calls' legs plus the open agent legs, cc.usage deltas add up to it, and nothing is left when everything ends")
    func mixAtLimit() async {
        let figures = Mutex(Figures())
        await propertyCheck(count: 300, input: Gen.int(in: 0...11).array(of: 30...250), Gen.int(in: 0...3).array(of: 30...250),
                            Gen.int(in: 1...6)) { ops, picks, limit in
            var r = RoutingState(tenantID: Fixtures.tenantID)
            r.configure(Fixtures.tenant(limit: limit))
            _ = r.configure(Fixtures.callCenter("cc1", members: Self.agents, noAnswer: 20, wrapUp: 5), at: Fixtures.t0)
            r.setDevice(Fixtures.mobile, for: "p1", persistentConnection: true)
            r.setDevice(Fixtures.landline, for: "p2", persistentConnection: true)
            r.setDevice(Fixtures.ipPhone, for: "m1")
            var f = Figures()
            var usage = 0  // what a cc.usage reader adds up
            var revision = 1
            func apply(_ out: [RoutingOutput]) {
                for o in out {
                    switch o {
                    case .channelsChanged(let c):
                        usage += c.delta
                        #expect(c.inUse == usage, "each change states the running total")
                        #expect((c.callID == nil) != (c.legID == nil))
                    case .agentLegOpen: f.legsOpened += 1
                    case .agentLegClose: f.legsClosed += 1
                    case .offeredToAgent(_, _, let plan, _):
                        if plan.delivery == .persistentLeg { f.bridged += 1 } else if plan.delivery == .externalNumber { f.perCall += 1 }
                    case .callRejected(_, .concurrentCallLimitReached): f.refused += 1
                    default: break
                    }
                }
            }
            var t = Fixtures.t0
            var next = 0
            for (i, op) in ops.enumerated() {
                t = t.adding(seconds: 3)
                let agent = Self.agents[picks[i % picks.count]]
                let ringing = r.calls.values.sorted { $0.id < $1.id }.first { if case .ringing = $0.phase { true } else { false } }
                let leg = r.agentLegs[agent]
                switch op {
                case 0, 1:
                    next += 1
                    apply(r.callOffered("c\(next)", callCenter: "cc1", callerNumber: "+81311112222", at: t))
                case 2: if let c = ringing { apply(r.agentAnswered(c.id, by: c.agent!, at: t)) }
                case 3: if let id = r.calls.keys.sorted().first { apply(r.callEnded(id, at: t)) }
                case 4: if let c = ringing { apply(r.agentNoAnswer(c.id, by: c.agent!, reason: .rejected, at: t)) }
                case 5: apply(r.tick(now: t.adding(seconds: 25)))
                case 6: apply(r.presenceChanged(agent, to: r.agents[agent]?.presence == .available ? .away : .available, at: t))
                case 7: if let leg { apply(r.agentLegConnected(leg.id, account: agent, at: t)) }
                case 8: if let leg { apply(r.agentLegEnded(leg.id, account: agent, failure: .busy, at: t)) }
                case 9: if let leg { apply(r.agentLegEnded(leg.id, account: agent, failure: nil, at: t)) }
                case 10:
                    revision += 1
                    apply(r.changeDevice(Fixtures.mobile, for: agent, revision: revision,
                                         persistentConnection: !r.persistentConnections.contains(agent), at: t))
                default: apply(r.presenceChanged(agent, to: .signedOut, at: t))
                }
                f.events += 1
                #expect(r.ledger.inUse <= limit, "F3: never above the contract limit")
                #expect(r.ledger.inUse == r.calls.values.reduce(0) { $0 + r.ledger.holds($1.id) } + r.ledger.agentLegs.count)
                #expect(r.ledger.agentLegs == Set(r.agentLegs.values.map(\.id)), "every open leg holds exactly one channel")
                #expect(usage == r.ledger.inUse)
                // (A call already connected stays when its leg drops: the telephony layer ends it.)
                for c in r.calls.values where c.plan?.delivery == .persistentLeg {
                    if case .ringing(let a, _) = c.phase {
                        #expect(r.agentLegs[a]?.id == c.plan?.legID && r.agentLegs[a]?.isConnected == true,
                                "a call being bridged is on its agent's connected leg")
                    }
                }
                if r.ledger.inUse == limit { f.peakAtLimit += 1 }
                f.maxInUse = max(f.maxInUse, r.ledger.inUse)
            }
            // Everything ends: no channel is left behind.
            for id in r.calls.keys.sorted() { apply(r.callEnded(id, at: t)) }
            for a in Self.agents { apply(r.presenceChanged(a, to: .signedOut, at: t)) }
            apply(r.tick(now: t.adding(seconds: 3_600)))
            #expect(r.ledger.inUse == 0 && usage == 0 && r.ledger.agentLegs.isEmpty && r.agentLegs.isEmpty)
            f.sequences = 1
            let run = f
            figures.withLock { total in
                total.sequences += run.sequences; total.events += run.events; total.peakAtLimit += run.peakAtLimit
                total.legsOpened += run.legsOpened; total.legsClosed += run.legsClosed; total.bridged += run.bridged
                total.perCall += run.perCall; total.refused += run.refused; total.maxInUse = max(total.maxInUse, run.maxInUse)
            }
        }
        let f = figures.withLock { $0 }
        print("F3 F12 ledger mix: \(f.sequences) sequences, \(f.events) events; at the limit after \(f.peakAtLimit) events; "
              + "\(f.legsOpened) agent legs opened, \(f.legsClosed) closed by routing; \(f.bridged) calls bridged onto legs, "
              + "\(f.perCall) rung per call on personal phones; \(f.refused) calls refused at the limit; 0 above the limit, 0 leaked")
        #expect(f.legsOpened > 0 && f.bridged > 0 && f.peakAtLimit > 0, "the mix really reached legs, bridging and the limit")
    }
}
