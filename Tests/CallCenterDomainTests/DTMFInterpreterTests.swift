import CallCenterDomain
import PropertyBased
import Testing

@Suite("F6–F9 the DTMF grammar")
struct DTMFInterpreterTests {
    static let resolver = TransferTargetResolver(extensions: ["201": "agentB", "7000": "agentC"], allowInternational: false)

    /// Presses `keys` one second apart from t0, then lets the pause pass; returns all actions.
    static func play(_ keys: String, from interpreter: DTMFInterpreter = DTMFInterpreter()) -> (actions: [DTMFAction], end: DTMFInterpreter) {
        var i = interpreter
        var actions: [DTMFAction] = []
        var t = Fixtures.t0
        for k in keys {
            actions += i.press(String(k), at: t, resolver: resolver)
            t = t.adding(seconds: 1)
        }
        actions += i.expire(now: t.adding(seconds: 3), resolver: resolver)
        return (actions, i)
    }

    @Test("F6 `*0` holds and stays on hold; `*` again releases it")
    func starZero() {
        let (actions, held) = Self.play("*0")
        #expect(actions == [.hold])
        #expect(held.phase == .heldByStarZero)
        let (release, end) = Self.play("*", from: held)
        #expect(release == [.unhold])
        #expect(end.phase == .talking)
    }

    @Test("F6 `*` or `#` holds at once, before the sequence ends")
    func immediateHold() {
        var i = DTMFInterpreter()
        #expect(i.press("#", at: Fixtures.t0, resolver: Self.resolver) == [.hold])
        #expect(i.isHolding)
    }

    @Test("F6–F9 the transfer-target resolver (every account's extension) is built only for a sequence that names a target")
    func resolverOnlyForTransfers() {
        var built = 0
        func resolver() -> TransferTargetResolver {
            built += 1
            return Self.resolver
        }
        var i = DTMFInterpreter()
        var t = Fixtures.t0
        for keys in ["#", "*0", "*", "#700"] {
            for k in keys {
                _ = i.press(String(k), at: t, resolver: resolver())
                t = t.adding(seconds: 1)
            }
            t = t.adding(seconds: 3)
            _ = i.expire(now: t, resolver: resolver())
        }
        #expect(built == 0, "hold, release and park name no target")
        for k in "*201" {
            _ = i.press(String(k), at: t, resolver: resolver())
            t = t.adding(seconds: 1)
        }
        #expect(i.expire(now: t.adding(seconds: 3), resolver: resolver()) == [.transfer(.attended, .extension("201", "agentB"))])
        #expect(built == 1)
    }

    @Test("F7 `#700` parks the call")
    func park() { #expect(Self.play("#700").actions == [.hold, .park]) }

    @Test("F8 a stray `#` releases the hold by itself after the pause")
    func strayHash() {
        var i = DTMFInterpreter()
        _ = i.press("#", at: Fixtures.t0, resolver: Self.resolver)
        #expect(i.expire(now: Fixtures.t0.adding(milliseconds: 2_999), resolver: Self.resolver).isEmpty)
        #expect(i.expire(now: Fixtures.t0.adding(milliseconds: 3_000), resolver: Self.resolver) == [.unhold])
    }

    @Test("F8 a lone `*` (not held) releases the hold")
    func loneStar() { #expect(Self.play("*").actions == [.hold, .unhold]) }

    @Test("F9 `*` + number is an attended transfer; `#` + number a blind one; extensions of the tenant win")
    func transfers() throws {
        #expect(Self.play("*201").actions == [.hold, .transfer(.attended, .extension("201", "agentB"))])
        #expect(Self.play("#7000").actions == [.hold, .transfer(.blind, .extension("7000", "agentC"))])
        let mobile = try PhoneNumber.parse("09011112222")
        #expect(Self.play("*09011112222").actions == [.hold, .transfer(.attended, .external(mobile))])
        #expect(Self.play("#0312345678").actions == [.hold, .transfer(.blind, .external(try .parse("0312345678")))])
    }

    @Test("F9 S4 external targets must pass the destination rules; invalid numbers release the hold with an error")
    func rejectedTargets() {
        #expect(Self.play("#110").actions == [.hold, .unhold, .rejected(keys: "#110", reason: .forbiddenDestination)])
        #expect(Self.play("*0990123456").actions == [.hold, .unhold, .rejected(keys: "*0990123456", reason: .forbiddenDestination)])
        #expect(Self.play("#12").actions == [.hold, .unhold, .rejected(keys: "#12", reason: .invalidNumber)])
        #expect(Self.play("*0*1").actions == [.hold, .unhold, .rejected(keys: "*0*1", reason: .invalidNumber)])
        #expect(Self.play("#0101442079460958").actions.last == .rejected(keys: "#0101442079460958", reason: .forbiddenDestination))
    }

    @Test("F6 digits while talking are tones, not commands; a pause is measured on event time")
    func pauses() {
        var i = DTMFInterpreter(pauseMilliseconds: 3_000)
        #expect(i.press("5", at: Fixtures.t0, resolver: Self.resolver).isEmpty)
        _ = i.press("*", at: Fixtures.t0, resolver: Self.resolver)
        _ = i.press("2", at: Fixtures.t0.adding(milliseconds: 2_900), resolver: Self.resolver)
        _ = i.press("0", at: Fixtures.t0.adding(milliseconds: 5_800), resolver: Self.resolver)
        _ = i.press("1", at: Fixtures.t0.adding(milliseconds: 8_700), resolver: Self.resolver)
        #expect(i.deadline == Fixtures.t0.adding(milliseconds: 11_700))
        // A key after the pause first ends the earlier sequence.
        let late = i.press("#", at: Fixtures.t0.adding(milliseconds: 20_000), resolver: Self.resolver)
        #expect(late == [.transfer(.attended, .extension("201", "agentB")), .hold])
    }

    @Test("F6–F9 invalid keys are refused without changing state")
    func invalidKey() {
        var i = DTMFInterpreter()
        #expect(i.press("A", at: Fixtures.t0, resolver: Self.resolver) == [.rejected(keys: "A", reason: .invalidKey)])
        #expect(i.press("**", at: Fixtures.t0, resolver: Self.resolver).first == .rejected(keys: "**", reason: .invalidKey))
        #expect(i.phase == .talking)
    }

    @Test("F6–F9 property: random key sequences never crash and end in a defined state with holds balanced")
    func randomSequences() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...13).array(of: 0...30), Gen.int(in: 0...6_000).array(of: 30...30)) { keys, gaps in
            var i = DTMFInterpreter()
            var t = Fixtures.t0
            var held = false
            func apply(_ actions: [DTMFAction]) {
                for a in actions {
                    switch a {
                    case .hold: #expect(!held); held = true
                    case .unhold: #expect(held); held = false
                    case .park, .transfer: held = false
                    case .rejected: break
                    }
                }
            }
            let alphabet = Array("0123456789*#").map(String.init) + ["X", ""]
            for (n, k) in keys.enumerated() {
                t = t.adding(milliseconds: Int64(gaps[n % gaps.count]))
                apply(i.press(alphabet[k], at: t, resolver: Self.resolver))
            }
            apply(i.expire(now: t.adding(seconds: 10), resolver: Self.resolver))
            #expect(i.deadline == nil, "no sequence left open after the pause")
            #expect(i.phase == .talking || i.phase == .heldByStarZero)
            #expect(held == (i.phase == .heldByStarZero))
        }
    }
}
