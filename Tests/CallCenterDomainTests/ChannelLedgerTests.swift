import CallCenterDomain
import PropertyBased
import Testing

@Suite("F3 the channel ledger")
struct ChannelLedgerTests {
    @Test("F3 admission never exceeds the limit; release is idempotent; ended calls hold nothing")
    func basics() {
        var l = ChannelLedger(limit: 2)
        #expect(l.admit("a") != nil)
        #expect(l.addLeg("a") != nil)
        #expect(l.admit("b") == nil, "limit reached")
        #expect(l.end("a", at: Fixtures.t0) == ChannelChange(callID: "a", delta: -2, inUse: 0, limit: 2))
        #expect(l.end("a", at: Fixtures.t0) == nil)
        #expect(l.admit("a") == nil && l.addLeg("a") == nil, "an ended call never holds channels again")
        #expect(l.inUse == 0)
    }

    @Test("F3 the memory of ended calls stays bounded: calls ended over an hour ago are forgotten")
    func boundedMemory() {
        var l = ChannelLedger(limit: 1)
        for i in 0..<(ChannelLedger.endedMemory + 50) {
            let t = Fixtures.t0.adding(seconds: i)  // one call per second: most ended over an hour before the last
            _ = l.admit("c\(i)")
            _ = l.end("c\(i)", at: t)
        }
        #expect(l.ended.count < 3_700 && l.ended.count > 3_000, "pruned to the last hour at 10,000, then 49 more")
        #expect(l.admit("c\(ChannelLedger.endedMemory + 49)") == nil, "a recently ended call still cannot come back")
        #expect(l.inUse == 0)
    }

    @Test("F3 lowering the limit keeps live calls but admits nothing until usage is below it")
    func lowerLimit() {
        var l = ChannelLedger(limit: 3)
        _ = l.admit("a"); _ = l.admit("b"); _ = l.admit("c")
        l.setLimit(2)
        #expect(l.admit("d") == nil)
        _ = l.end("a", at: Fixtures.t0)
        #expect(l.admit("d") == nil, "2 in use, limit 2")
        _ = l.end("b", at: Fixtures.t0)
        #expect(l.admit("d") != nil)
    }

    @Test("F3 property: random call/event sequences never exceed the limit and return to zero when all calls end")
    func randomSequences() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...5).array(of: 10...200), Gen.int(in: 0...10).array(of: 10...200),
                            Gen.int(in: 0...8)) { ops, callIndexes, limit in
            var l = ChannelLedger(limit: limit)
            var sum = 0
            for (n, op) in ops.enumerated() {
                let call = "c\(callIndexes[n % callIndexes.count])"
                let change: ChannelChange? = switch op {
                case 0, 1: l.admit(call)
                case 2, 3: l.addLeg(call)
                case 4: l.releaseLeg(call)
                default: l.end(call, at: Fixtures.t0.adding(seconds: n))
                }
                if let change { sum += change.delta; #expect(change.inUse == sum) }
                #expect(l.inUse <= limit && l.inUse >= 0)
                #expect(l.inUse == l.legs.values.reduce(0, +))
            }
            for i in 0...10 { _ = l.end("c\(i)", at: Fixtures.t0) }
            #expect(l.inUse == 0 && l.legs.isEmpty)
        }
    }

    @Test("F3 property: the routing state never holds more channels than the limit under random traffic")
    func routingProperty() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...6).array(of: 20...150), Gen.int(in: 1...6)) { ops, limit in
            var r = RoutingState(tenantID: Fixtures.tenantID)
            r.configure(Fixtures.tenant(limit: limit))
            let members = ["m1", "m2", "s1", "s2"]
            _ = r.configure(Fixtures.callCenter("cc1", members: members), at: Fixtures.t0)
            r.setDevice(Fixtures.mobile, for: "m1")
            r.setDevice(Fixtures.landline, for: "m2")
            for m in members { _ = r.presenceChanged(m, to: .available, at: Fixtures.t0) }
            var t = Fixtures.t0
            var next = 0
            for op in ops {
                t = t.adding(seconds: 7)
                switch op {
                case 0, 1: next += 1; _ = r.callOffered("c\(next)", callCenter: "cc1", callerNumber: "+81311112222", at: t)
                case 2: if let (id, c) = r.calls.first(where: { if case .ringing = $0.value.phase { true } else { false } }) {
                    _ = r.agentAnswered(id, by: c.agent!, at: t) }
                case 3: if let id = r.calls.keys.sorted().first { _ = r.callEnded(id, at: t) }
                case 4: if let (id, c) = r.calls.first(where: { if case .ringing = $0.value.phase { true } else { false } }) {
                    _ = r.agentNoAnswer(id, by: c.agent!, reason: .rejected, at: t) }
                default: _ = r.tick(now: t.adding(seconds: 30))
                }
                #expect(r.ledger.inUse <= limit)
                #expect(r.ledger.inUse == r.calls.values.reduce(0) { $0 + r.ledger.holds($1.id) })
            }
            for id in r.calls.keys.sorted() { _ = r.callEnded(id, at: t) }
            #expect(r.ledger.inUse == 0)
        }
    }
}
