import EventContract
import KafkaClient

/// Orders each partition's events across the service's input topics by event time.
///
/// Kafka orders messages only within a topic-partition; a service reading several
/// topics (status-service reads telephony events and the routing decisions made
/// from them) would otherwise see an interleaving that depends on fetch timing, and
/// a replay after a crash could decide differently from the first run. As in Kafka
/// Streams, a partition's next event is the oldest head among its topics' buffers;
/// while an input topic's buffer is empty but the broker holds data for it that has
/// not been fetched yet (its last-known end is past our position), the partition
/// waits for that data, at most `maxIdle`. Ties go to the topic listed first in the
/// processor's inputs (causes before effects: telephony before decisions).
///
/// The end offsets librdkafka caches are refreshed only when a fetch brings
/// messages, so they can miss a cause produced just before its effect was fetched.
/// Before an event goes out while another input looks caught up, that input's end
/// offset is confirmed with the broker, once per input for all events that had
/// arrived by then: `questions` says what to ask, the loop asks outside its lock,
/// `note` takes the answers, and `release` decides from them without blocking.
struct InputMerger {
    struct Pending {
        var message: ConsumedMessage
        var decoded: Result<DecodedEvent, EventDecodingError>
        /// Event time in ms; messages that did not decode take the time of the one before them.
        var time: Int64
        var arrived: ContinuousClock.Instant
    }

    struct Queue {
        var items: [Pending] = []
        var head = 0
        var isEmpty: Bool { head == items.count }
        var first: Pending? { isEmpty ? nil : items[head] }
        mutating func pop() -> Pending {
            defer {
                head += 1
                // Reclaim consumed slots now and then, and let go of the storage: a queue that held thousands of
                // events while catching up would otherwise keep megabytes of capacity for good.
                if head == items.count {
                    items = []
                    head = 0
                } else if head > 1_024, head * 2 > items.count {
                    items = Array(items[head...])
                    head = 0
                }
            }
            return items[head]
        }
    }

    let topics: [String]
    let maxIdle: Duration
    let confirmsEnds: Bool
    let followsUpstream: Bool
    /// Above this many buffered events a partition stops waiting (bounds memory).
    let maxBuffered: Int
    /// A topic-partition holding more than this many events is paused (nothing more is fetched for it) until it
    /// holds fewer than `resumeBelow`: an input fetched far ahead of the others waits in the broker, not here.
    var pauseAbove: Int { Swift.max(1, maxBuffered / 10) }
    var resumeBelow: Int { Swift.max(1, maxBuffered / 50) }

    /// How many events the merger holds before a partition gives up waiting: the configured buffer, but never less
    /// than what flow control lets in. Each input is paused above `pauseAbove`, yet the batches polled before the
    /// pause took effect (up to two of `batch` events: one being decided, one decoded ahead) still arrive. A smaller
    /// limit gave up at a service's start on a backlog before the configuration had been fetched: report-service
    /// dead-lettered thousands of events as of unconfigured tenants.
    func capacity(batch: Int) -> Int {
        Swift.max(maxBuffered, topics.count * (pauseAbove + 2 * Swift.min(batch, maxBuffered)))
    }
    private(set) var queues: [TopicPartition: Queue] = [:]
    private var lastTime: [TopicPartition: Int64] = [:]
    /// The offset after the last message fetched (buffered or released) per topic-partition.
    private(set) var fetchedEnd: [TopicPartition: Int64] = [:]
    private var waitingSince: [Int32: ContinuousClock.Instant] = [:]
    private(set) var buffered = 0
    /// Partitions that started releasing events without waiting any longer (idle limit or buffer full) since last asked.
    private(set) var gaveUpWaiting: Set<Int32> = []
    /// Partitions releasing without waiting now; one warns once per episode, not once per batch.
    private var givingUp: Set<Int32> = []
    /// The last end offset asked from the broker per topic-partition, and when.
    private(set) var verified: [TopicPartition: (at: ContinuousClock.Instant, end: Int64)] = [:]
    /// Per partition, the last moment as of which the upstream services were known to have processed
    /// everything on their inputs (and produced what follows from it).
    private(set) var upstreamAt: [Int32: ContinuousClock.Instant] = [:]
    /// The partition the next `release` starts with (or the next one holding events), after one that stopped at
    /// its limit: a partition that holds thousands of events does not keep the others waiting.
    private var startPartition: Int32 = 0

    /// - Parameters:
    ///   - confirmsEnds: an input that looks caught up from the cached ends must be confirmed by the broker
    ///     (`questions`) before an event of another input goes out.
    ///   - followsUpstream: an event waits until the upstream services have processed what was on their inputs when
    ///     it arrived.
    init(topics: [String], maxIdle: Duration, maxBuffered: Int = 10_000, confirmsEnds: Bool = false, followsUpstream: Bool = false) {
        self.topics = topics
        self.maxIdle = maxIdle
        self.maxBuffered = maxBuffered
        self.confirmsEnds = confirmsEnds && topics.count > 1
        self.followsUpstream = followsUpstream
    }

    mutating func add(_ message: ConsumedMessage, _ decoded: Result<DecodedEvent, EventDecodingError>,
                      arrived: ContinuousClock.Instant = .now) {
        let tp = message.topicPartition
        let time: Int64
        if case .success(let e) = decoded { time = e.attributes.time.millisecondsSinceEpoch } else { time = lastTime[tp] ?? .min }
        lastTime[tp] = time
        fetchedEnd[tp] = message.offset + 1
        queues[tp, default: Queue()].items.append(Pending(message: message, decoded: decoded, time: time, arrived: arrived))
        buffered += 1
    }

    /// Every buffered event that may be processed now, in processing order: one selection loop per partition, over
    /// its inputs' readiness worked out once per call from `view` and the broker's last answers (`note`).
    /// - Parameters:
    ///   - limit: at most this many events (a batch): the rest stay buffered for the next call, so that a buffer
    ///     released at once when the input it waited for catches up does not become one huge batch.
    ///   - trace: told why each event went out; it only reports, the decisions are the same without it.
    mutating func release(now: ContinuousClock.Instant, assigned: Set<TopicPartition>, limit: Int = .max,
                          view: some MergerBrokerView, trace: ((Pending, String) -> Void)? = nil) -> [Pending] {
        var out: [Pending] = []
        let holding = Set(queues.filter { !$0.value.isEmpty }.keys.map(\.partition)).sorted()
        let first = holding.firstIndex { $0 >= startPartition } ?? 0
        for p in holding[first...] + holding[..<first] {
            release(p, now: now, assigned: assigned, limit: limit, view: view, trace: trace, into: &out)
            if out.count >= limit {
                // The next call starts with the partition after the last one served.
                startPartition = p + 1
                return out
            }
        }
        return out
    }

    /// An input of one partition, as it stands while its queue is empty. Nothing is fetched during a call, so this
    /// is worked out once per call, not once per event.
    private enum EmptyInput {
        /// Not assigned to this instance: not waited for.
        case notAssigned
        /// The broker holds data not fetched yet (or its end is not known yet): waited for.
        case unfetched
        /// Fetched up to the broker's last-known end.
        case caughtUp
    }

    private func emptyInput(_ tp: TopicPartition, assigned: Set<TopicPartition>, view: some MergerBrokerView) -> EmptyInput {
        guard assigned.contains(tp) else { return .notAssigned }
        guard let end = view.cachedEnd(tp) else { return .unfetched }
        return end > fetched(tp, view) ? .unfetched : .caughtUp
    }

    private func fetched(_ tp: TopicPartition, _ view: some MergerBrokerView) -> Int64 {
        fetchedEnd[tp] ?? view.position(tp) ?? 0
    }

    /// The moment a caught-up input's end must have been confirmed at, for an event that arrived at `arrival`.
    private func confirmationNeeded(_ p: Int32, after arrival: ContinuousClock.Instant) -> ContinuousClock.Instant {
        if followsUpstream, let at = upstreamAt[p] { return max(at, arrival) }
        return arrival
    }

    /// Whether a caught-up input is confirmed by the broker to have been so when an event that arrived at `arrival`
    /// came (an input the broker could not tell about is not known to be caught up).
    private func confirmedCaughtUp(_ tp: TopicPartition, for arrival: ContinuousClock.Instant, _ view: some MergerBrokerView) -> Bool {
        guard let v = verified[tp], v.at >= confirmationNeeded(tp.partition, after: arrival) else { return false }
        return v.end <= fetched(tp, view)
    }

    /// The selection loop of one partition: its queues are taken out of the table while it runs.
    private mutating func release(_ p: Int32, now: ContinuousClock.Instant, assigned: Set<TopicPartition>, limit: Int,
                                  view: some MergerBrokerView, trace: ((Pending, String) -> Void)?, into out: inout [Pending]) {
        let tps = topics.map { TopicPartition(topic: $0, partition: p) }
        let empty = tps.map { emptyInput($0, assigned: assigned, view: view) }
        var local = tps.map { queues.removeValue(forKey: $0) }
        defer { for (k, q) in local.enumerated() where q != nil { queues[tps[k]] = q } }
        while out.count < limit {
            var best = -1
            var bestTime = Int64.max
            for k in tps.indices {
                if let q = local[k], !q.isEmpty, best < 0 || q.items[q.head].time < bestTime {
                    (best, bestTime) = (k, q.items[q.head].time)
                }
            }
            guard best >= 0 else {
                waitingSince[p] = nil
                return
            }
            let arrived = local[best]!.items[local[best]!.head].arrived
            var unfetched = false
            for k in tps.indices where local[k]?.isEmpty ?? true {
                switch empty[k] {
                case .notAssigned: break
                case .unfetched: unfetched = true
                case .caughtUp: if confirmsEnds && !confirmedCaughtUp(tps[k], for: arrived, view) { unfetched = true }
                }
            }
            // An upstream service that has not caught up with what was there when this arrived may still produce
            // something that goes first.
            if followsUpstream, upstreamAt[p].map({ $0 < arrived }) ?? true { unfetched = true }
            guard mayRelease(p, unfetched: unfetched, now: now, capacity: capacity(batch: limit)) else { return }
            let next = local[best]!.pop()
            if let trace {
                trace(next, basis(p, releasing: next, gaveUp: unfetched, local: local, view))
            }
            out.append(next)
            buffered -= 1
        }
    }

    /// Why the other inputs did not go first: each one's head, fetched end, cached end and what the broker said.
    private func basis(_ p: Int32, releasing next: Pending, gaveUp: Bool, local: [Queue?], _ view: some MergerBrokerView) -> String {
        let inputs = topics.enumerated().map { k, topic -> String in
            let tp = TopicPartition(topic: topic, partition: p)
            let head = local[k]?.first.map { "head \($0.time)" } ?? "empty"
            let v = verified[tp].map { "verified \($0.end) \($0.at < next.arrived ? "before" : "after") arrival" } ?? "unverified"
            return "\(topic): \(head) fetched \(fetched(tp, view)) cached \(view.cachedEnd(tp) ?? -1) \(v)"
        }
        let upstream = !followsUpstream ? ""
            : upstreamAt[p].map { $0 < next.arrived ? "upstream behind; " : "upstream caught up; " } ?? "upstream unknown; "
        return (gaveUp ? "gave up waiting; " : "") + upstream + inputs.joined(separator: "; ")
    }

    /// Whether partition `p`'s next event may go out now: always when no input holds unfetched data; otherwise only
    /// once it waited `maxIdle` or the merger holds `capacity` events (then it gives up waiting, noted once per episode).
    private mutating func mayRelease(_ p: Int32, unfetched: Bool, now: ContinuousClock.Instant, capacity: Int) -> Bool {
        if unfetched && buffered < capacity {
            let since = waitingSince[p] ?? now
            waitingSince[p] = since
            if now - since < maxIdle { return false }
            if givingUp.insert(p).inserted { gaveUpWaiting.insert(p) }
        } else if unfetched {
            if givingUp.insert(p).inserted { gaveUpWaiting.insert(p) }
        } else {
            waitingSince[p] = nil
            givingUp.remove(p)
        }
        return true
    }

    /// Takes the broker's answers to the last `questions`.
    mutating func note(_ answers: MergerAnswers) {
        for (p, at) in answers.upstreamCaughtUp { upstreamAt[p] = max(upstreamAt[p] ?? at, at) }
        for (tp, end) in answers.ends { verified[tp] = (answers.endsAskedAt, end) }
    }

    /// Event slots the queues hold storage for (released ones included until reclaimed).
    var reservedSlots: Int { queues.values.reduce(0) { $0 + $1.items.capacity } }

    /// Topic-partitions holding more than `limit` events not released yet.
    func crowded(above limit: Int) -> Set<TopicPartition> {
        Set(queues.filter { $0.value.items.count - $0.value.head > limit }.keys)
    }

    /// The inputs to pause now, and the paused ones to resume (see `pauseAbove`).
    func flowControl(paused: Set<TopicPartition>) -> (pause: Set<TopicPartition>, resume: Set<TopicPartition>) {
        (crowded(above: pauseAbove).subtracting(paused), paused.subtracting(crowded(above: resumeBelow)))
    }

    /// The partitions that gave up waiting since the last call (for a warning), and forgets them.
    mutating func takeGaveUpWaiting() -> Set<Int32> {
        defer { gaveUpWaiting = [] }
        return gaveUpWaiting
    }

    /// Forgets what was buffered for partitions this instance no longer owns.
    mutating func drop(partitions: Set<Int32>) {
        for tp in queues.keys where partitions.contains(tp.partition) {
            buffered -= queues[tp]!.items.count - queues[tp]!.head
            queues[tp] = nil
            lastTime[tp] = nil
        }
        for tp in fetchedEnd.keys where partitions.contains(tp.partition) { fetchedEnd[tp] = nil }
        for tp in verified.keys where partitions.contains(tp.partition) { verified[tp] = nil }
        for p in partitions {
            waitingSince[p] = nil
            upstreamAt[p] = nil
        }
        givingUp.subtract(partitions)
    }
}
