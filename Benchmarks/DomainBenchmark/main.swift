// Measures the domain's hot paths on one core, with a realistic tenant:
// 2,000 agents in 50 call centers, 10% of them on personal phones.
//   swift run -c release DomainBenchmark [seconds-per-case]
// Prints decisions per second for each case and a baseline (dictionary lookup
// + integer ledger arithmetic with no rules) measured in the same run.
import CallCenterDomain
import Foundation

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let secondsPerCase = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 1.0 : 1.0
let agentsCount = 2_000, callCentersCount = 50
let tenant = Tenant(id: "t", concurrentCallLimit: 1_000, platformVersion: PlatformVersion("3.2.0")!,
                    callbackDialingOption: true, allowInternationalForwarding: false,
                    rates: ChargeRates(mobileYenPerMinute: 16.5, landlineYenPerMinute: 8.8, ipPhoneYenPerMinute: 8,
                                       billingIncrementSeconds: 30))
let agentIDs = (0..<agentsCount).map { "agent-\($0)" }
var devices: [AccountID: SignInDevice] = [:]
for (i, id) in agentIDs.enumerated() where i % 10 == 0 {
    let number = try! PhoneNumber.parse(String(format: "090%08d", i))
    devices[id] = .externalNumber(number, i % 20 == 0 ? .landline : .mobile)
}
let callCenters = (0..<callCentersCount).map { c in
    CallCenter(id: "cc-\(c)", tenantID: "t", name: "Center \(c)", externalNumber: "+81312345678",
               noAnswerTimeoutSeconds: 35, wrapUpSeconds: 35,
               memberAccountIDs: Array(agentIDs[(c * 40)..<(c * 40 + 40)]))
}

struct Result { var name: String; var operations: Int; var seconds: Double; var rate: Double { Double(operations) / seconds } }
var results: [Result] = []

/// Runs `body` in rounds until `secondsPerCase` has passed; body returns operations done.
@MainActor func measure(_ name: String, _ body: () -> Int) {
    _ = body()  // warm-up
    var ops = 0
    let start = now()
    var elapsed = 0.0
    repeat {
        ops += body()
        elapsed = now() - start
    } while elapsed < secondsPerCase
    results.append(Result(name: name, operations: ops, seconds: elapsed))
}

var sink = 0

// Baseline: the same lookups and counter arithmetic, without any rule.
measure("baseline: lookup + counters") {
    var inUse = 0
    for i in 0..<100_000 {
        let id = agentIDs[i % agentsCount]
        let legs = devices[id] == nil ? 1 : 2
        if inUse + legs <= 1_000 { inUse += legs } else { inUse = 0 }
    }
    sink &+= inUse
    return 100_000
}

// The decision of issue 3: delivery plan (A4) + ledger admission (F3) for one call and agent.
let callIDs = (0..<512).map { "c\($0)" }
measure("delivery plan + ledger admission") {
    var ledger = ChannelLedger(limit: 1_000)
    for i in 0..<100_000 {
        let id = agentIDs[i % agentsCount]
        let device = devices[id] ?? .softphone
        let call = callIDs[i & 511]
        if ledger.admit(call) == nil { _ = ledger.end(call, at: Timestamp(millisecondsSinceEpoch: 0)); ledger.forgetEnded(before: Timestamp(millisecondsSinceEpoch: 1)); continue }
        let plan = DeliveryPlan.make(accountID: id, device: device, callCenter: callCenters[i % callCentersCount],
                                     callerNumber: "+81311112222")
        if plan.channels == 2 { _ = ledger.addLeg(call) }
        sink &+= plan.channels
        if i & 511 == 511 {
            for id in callIDs { _ = ledger.end(id, at: Timestamp(millisecondsSinceEpoch: 0)) }
            ledger.forgetEnded(before: Timestamp(millisecondsSinceEpoch: 1))
        }
    }
    return 100_000
}

// A whole call through the ACD: offer → ring → answer → end → wrap-up (A1–A3, F3).
var routing = RoutingState(tenantID: "t")
routing.configure(tenant)
for cc in callCenters { _ = routing.configure(cc, at: Timestamp(seconds: 0)) }
for (i, id) in agentIDs.enumerated() {
    if let d = devices[id] { routing.setDevice(d, for: id) }
    _ = routing.presenceChanged(id, to: .available, at: Timestamp(millisecondsSinceEpoch: Int64(i)))
}
var clock = Timestamp(seconds: 10)
var callNumber = 0
measure("ACD call: offer, answer, end (RoutingState)") {
    for _ in 0..<2_000 {
        callNumber += 1
        let call = "call-\(callNumber)"
        let out = routing.callOffered(call, callCenter: callCenters[callNumber % callCentersCount].id,
                                      callerNumber: "+81311112222", at: clock)
        for case .offeredToAgent(_, _, let plan, _) in out {
            _ = routing.agentAnswered(call, by: plan.accountID, at: clock)
        }
        _ = routing.callEnded(call, at: clock)
        clock = clock.adding(milliseconds: 50)
        if callNumber % 100 == 0 { _ = routing.tick(now: clock) }
    }
    return 2_000
}

measure("phone number parse + policy (S4)") {
    for i in 0..<50_000 {
        if let n = try? PhoneNumber.parse(i & 1 == 0 ? "090-1234-5678" : "+81 3 1234 5678"),
           ForwardingPolicy.rejection(of: n, for: .signInDevice, allowInternational: false) == nil { sink &+= 1 }
    }
    return 50_000
}

print("Domain benchmark (one core, \(agentsCount) agents, \(callCentersCount) call centers, 10% on personal phones)")
print("case".padding(toLength: 46, withPad: " ", startingAt: 0) + "   decisions/s   vs baseline")
let base = results[0].rate
for r in results {
    let rate = String(Int(r.rate)).leftPad(13)
    let ratio = String(format: "%.2f", r.rate / base).leftPad(12)
    print(r.name.padding(toLength: 46, withPad: " ", startingAt: 0) + rate + ratio)
}
let target = 1_000_000.0
let decision = results[1].rate
print(decision >= target ? "target met: delivery plan + admission ≥ 1,000,000/s" : "TARGET MISSED: \(Int(decision))/s < 1,000,000/s")
if sink == 42 { print("") }

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
