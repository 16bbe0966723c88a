import CallCenterDomain
import EventContract
import KafkaClient

/// The event mix of the benchmark tenant's calls, as the telephony layer reports them: each call is offered,
/// answered by the agent routing offered it to, keyed on a personal phone (`#`: hold, F8), and hung up.
///
/// With no wrap-up, an agent who hangs up goes to the back of the line (A1), so the offers of a call center go
/// round its members in a known order: account ids in string order at first (all became available at the same
/// time), then the order in which they last hung up. The answers name that agent, as the real ones would.
/// (Calls that ring and are hung up unanswered, as in the latency step, leave the order as it was.)
struct CallMix {
    static let callCenters = 50, membersPerCenter = 40
    /// Per call center, its members (agent numbers) in the order they will be offered calls.
    private var queues: [[Int]] = (0..<callCenters).map { c in
        (0..<membersPerCenter).map { c * membersPerCenter + $0 }.sorted { "a\($0)" < "a\($1)" }
    }
    /// The agent each call is offered to (while `remember` is set): checked against the service's decisions.
    private(set) var expectedAgent: [String: String] = [:]
    var remember: Bool

    init(remember: Bool = false) { self.remember = remember }

    mutating func forgetExpected() { expectedAgent = [:] }

    /// The events of call number `n` (call center `n % 50`), from `at` (5 ms of event time), with ids `<idPrefix><kind><n>`.
    mutating func events(call id: String, number n: Int, at: Timestamp, topic: String, idPrefix: String) -> [OutgoingMessage] {
        let c = n % Self.callCenters
        let agent = queues[c].removeFirst()
        queues[c].append(agent)
        let account = "a\(agent)"
        if remember { expectedAgent[id] = account }
        func time(_ ms: Int64) -> Timestamp { at.adding(milliseconds: ms) }
        var out = [
            Bench.event(TelephonyEvents.CallOffered(callId: id, callCenterId: "cc\(c)", callerNumber: "+81311112222",
                                              dialedNumber: "+81312345678", at: EventTime(at)),
                  topic: topic, id: "\(idPrefix)o\(n)", time: at),
            Bench.event(TelephonyEvents.AgentAnswered(callId: id, accountId: account, at: EventTime(time(1))),
                  topic: topic, id: "\(idPrefix)a\(n)", time: time(1)),
        ]
        if agent % 10 == 0 {  // on a personal phone (setup: every 10th agent)
            out.append(Bench.event(TelephonyEvents.Dtmf(callId: id, accountId: account, key: "#", at: EventTime(time(2))),
                             topic: topic, id: "\(idPrefix)k\(n)", time: time(2)))
        }
        out.append(Bench.event(TelephonyEvents.CallEnded(callId: id, at: EventTime(time(5))),
                         topic: topic, id: "\(idPrefix)x\(n)", time: time(5)))
        return out
    }
}
