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
/// Before an event goes out while another input looks caught up, the merger asks
/// the broker for that input's end offset (`verifiedEnd`), once per input for all
/// events that had arrived by then.
struct InputMerger {
    struct Pending {
        var message: ConsumedMessage
        var decoded: Result<DecodedEvent, EventDecodingError>
        /// Event time in ms; messages that did not decode take the time of the one before them.
        var time: Int64
        var arrived: ContinuousClock.Instant
    }

    private struct Queue {
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
    /// Above this many buffered events a partition stops waiting (bounds memory).
    let maxBuffered: Int
    /// A topic-partition holding more than this many events is paused (nothing more is fetched for it) until it
    /// holds fewer than `resumeBelow`: an input fetched far ahead of the others waits in the broker, not here.
    var pauseAbove: Int { Swift.max(1, maxBuffered / 10) }
    var resumeBelow: Int { Swift.max(1, maxBuffered / 50) }
    private var queues: [TopicPartition: Queue] = [:]
    private var lastTime: [TopicPartition: Int64] = [:]
    /// The offset after the last message fetched (buffered or released) per topic-partition.
    private var fetchedEnd: [TopicPartition: Int64] = [:]
    private var waitingSince: [Int32: ContinuousClock.Instant] = [:]
    private(set) var buffered = 0
    /// Partitions that started releasing events without waiting any longer (idle limit or buffer full) since last asked.
    private(set) var gaveUpWaiting: Set<Int32> = []
    /// Partitions releasing without waiting now; one warns once per episode, not once per batch.
    private var givingUp: Set<Int32> = []
    /// The last end offset asked from the broker per topic-partition, and when.
    private var verified: [TopicPartition: (at: ContinuousClock.Instant, end: Int64)] = [:]
    /// Per partition, the last moment as of which the upstream services were known to have processed
    /// everything on their inputs (and produced what follows from it).
    private var upstreamAt: [Int32: ContinuousClock.Instant] = [:]
    /// The partition the next `release` starts with (or the next one holding events), after one that stopped at
    /// its limit: a partition that holds thousands of events does not keep the others waiting.
    private var startPartition: Int32 = 0

    init(topics: [String], maxIdle: Duration, maxBuffered: Int = 10_000) {
        self.topics = topics
        self.maxIdle = maxIdle
        self.maxBuffered = maxBuffered
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

    /// Every buffered event that may be processed now, in processing order.
    /// - Parameters:
    ///   - position: the stored next offset of a topic-partition, for those nothing was fetched from yet.
    ///   - highWatermark: the broker's last-known end of a topic-partition (nil: not known yet).
    ///   - verifiedEnds: asks the broker for topic-partitions' ends now (those it cannot tell are left out);
    ///     nil: no confirmation, the cached ends are trusted.
    ///   - limit: at most this many events (a batch): the rest stay buffered for the next call, so that a buffer
    ///     released at once when the input it waited for catches up does not become one huge batch.
    mutating func release(now: ContinuousClock.Instant, assigned: Set<TopicPartition>, limit: Int = .max,
                          position: (TopicPartition) -> Int64?, highWatermark: (TopicPartition) -> Int64?,
                          verifiedEnds: (([TopicPartition]) -> [TopicPartition: Int64])? = nil,
                          upstreamCaughtUp: (([Int32], (TopicPartition) -> Int64?) -> [Int32: ContinuousClock.Instant])? = nil,
                          trace: ((Pending, String) -> Void)? = nil) -> [Pending] {
        var out: [Pending] = []
        let holding = Set(queues.filter { !$0.value.isEmpty }.keys.map(\.partition)).sorted()
        let first = holding.firstIndex { $0 >= startPartition } ?? 0
        let partitions = holding[first...] + holding[..<first]
        /// At the limit, the next call starts with the partition after the last one served.
        func stopped(at p: Int32) -> [Pending] {
            startPartition = p + 1
            return out
        }
        if verifiedEnds == nil, upstreamCaughtUp == nil, trace == nil {
            for p in partitions {
                releaseUnconfirmed(p, now: now, assigned: assigned, limit: limit, position: position,
                                   highWatermark: highWatermark, into: &out)
                if out.count >= limit { return stopped(at: p) }
            }
            return out
        }
        var newestArrival: [Int32: ContinuousClock.Instant] = [:]
        for (tp, q) in queues where !q.isEmpty {
            newestArrival[tp.partition] = max(newestArrival[tp.partition] ?? q.items[q.items.count - 1].arrived,
                                              q.items[q.items.count - 1].arrived)
        }
        if let upstreamCaughtUp {
            // First the upstream services' progress (as of which instant they had processed everything on their
            // inputs), then (below) our inputs' ends: what they produced by then is in the ends asked afterwards.
            let behind = newestArrival.filter { p, newest in upstreamAt[p].map { $0 < newest } ?? true }.keys.sorted()
            if !behind.isEmpty {
                for (p, at) in upstreamCaughtUp(behind, { [fetchedEnd] in fetchedEnd[$0] }) {
                    upstreamAt[p] = max(upstreamAt[p] ?? at, at)
                }
            }
        }
        /// The moment a caught-up input's end must have been confirmed at, for an event that arrived at `arrival`.
        func confirmationNeeded(_ p: Int32, after arrival: ContinuousClock.Instant) -> ContinuousClock.Instant {
            if upstreamCaughtUp != nil, let at = upstreamAt[p] { return max(at, arrival) }
            return arrival
        }
        if let verifiedEnds, topics.count > 1 {
            // Ask for every input that may need confirming in this call at once (the requests overlap), rather
            // than one partition after the other as the loop below comes to them.
            var ask: [TopicPartition] = []
            for (p, newest) in newestArrival {
                let needed = confirmationNeeded(p, after: newest)
                for topic in topics {
                    let tp = TopicPartition(topic: topic, partition: p)
                    guard assigned.contains(tp), let high = highWatermark(tp),
                          high <= (fetchedEnd[tp] ?? position(tp) ?? 0),
                          verified[tp].map({ $0.at < needed }) ?? true else { continue }
                    ask.append(tp)
                }
            }
            if !ask.isEmpty {
                let asked = ContinuousClock.now
                for (tp, end) in verifiedEnds(ask.sorted { ($0.partition, $0.topic) < ($1.partition, $1.topic) }) {
                    verified[tp] = (asked, end)
                }
            }
        }
        for p in partitions {
            while out.count < limit {
                var best: (tp: TopicPartition, time: Int64, arrived: ContinuousClock.Instant)?
                var unfetched = false
                var caughtUp: [TopicPartition] = []
                for topic in topics {
                    let tp = TopicPartition(topic: topic, partition: p)
                    if let head = queues[tp]?.first {
                        if best == nil || head.time < best!.time { best = (tp, head.time, head.arrived) }
                    } else if assigned.contains(tp) {
                        guard let high = highWatermark(tp) else { unfetched = true; continue }
                        if high > (fetchedEnd[tp] ?? position(tp) ?? 0) { unfetched = true } else { caughtUp.append(tp) }
                    }
                }
                if let chosen = best, upstreamCaughtUp != nil, upstreamAt[p].map({ $0 < chosen.arrived }) ?? true {
                    unfetched = true  // an upstream service has not caught up with what was there when this arrived
                }
                if let chosen = best, !unfetched, let verifiedEnds {
                    // Confirm with the broker that the inputs that look caught up were so when this event arrived.
                    let needed = confirmationNeeded(p, after: chosen.arrived)
                    let stale = caughtUp.filter { tp in verified[tp].map { $0.at < needed } ?? true }
                    if !stale.isEmpty {
                        let asked = ContinuousClock.now
                        let ends = verifiedEnds(stale)
                        for (tp, end) in ends { verified[tp] = (asked, end) }
                        // An input the broker could not tell about is not known to be caught up: wait (bounded by maxIdle).
                        if ends.count < stale.count { unfetched = true }
                    }
                    for tp in caughtUp {
                        if let v = verified[tp], v.at >= needed, v.end > (fetchedEnd[tp] ?? position(tp) ?? 0) {
                            unfetched = true
                        }
                    }
                }
                guard let chosen = best else {
                    waitingSince[p] = nil
                    break
                }
                guard mayRelease(p, unfetched: unfetched, now: now) else { break }
                let next = queues[chosen.tp]!.pop()
                if let trace {
                    // Why the other inputs did not go first: each one's fetched end and what the broker said.
                    let basis = topics.map { topic -> String in
                        let tp = TopicPartition(topic: topic, partition: p)
                        let head = queues[tp]?.first.map { "head \($0.time)" } ?? "empty"
                        let v = verified[tp].map { "verified \($0.end) \($0.at < next.arrived ? "before" : "after") arrival" } ?? "unverified"
                        return "\(topic): \(head) fetched \(fetchedEnd[tp] ?? position(tp) ?? -1) cached \(highWatermark(tp) ?? -1) \(v)"
                    }
                    let upstream = upstreamCaughtUp == nil ? "" : upstreamAt[p].map { $0 < next.arrived ? "upstream behind; " : "upstream caught up; " } ?? "upstream unknown; "
                    trace(next, (unfetched ? "gave up waiting; " : "") + upstream + basis.joined(separator: "; "))
                }
                out.append(next)
                buffered -= 1
            }
            if out.count >= limit { return stopped(at: p) }
        }
        return out
    }

    /// Whether partition `p`'s next event may go out now: always when no input holds unfetched data; otherwise only
    /// once it waited `maxIdle` or the buffer is full (then it gives up waiting, noted once per episode).
    private mutating func mayRelease(_ p: Int32, unfetched: Bool, now: ContinuousClock.Instant) -> Bool {
        if unfetched && buffered < maxBuffered {
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

    /// `release` for one partition when nothing is confirmed with the broker or upstream (the same decisions as
    /// its general loop): the partition's queues are taken out of the table, and an empty input's state (nothing
    /// more to fetch, or data not fetched yet) is looked up once per call, not once per event.
    private mutating func releaseUnconfirmed(_ p: Int32, now: ContinuousClock.Instant, assigned: Set<TopicPartition>,
                                             limit: Int, position: (TopicPartition) -> Int64?, highWatermark: (TopicPartition) -> Int64?,
                                             into out: inout [Pending]) {
        let tps = topics.map { TopicPartition(topic: $0, partition: p) }
        var local = tps.map { queues.removeValue(forKey: $0) }
        defer { for (k, q) in local.enumerated() where q != nil { queues[tps[k]] = q } }
        var emptyUnfetched = [Bool?](repeating: nil, count: tps.count)
        while out.count < limit {
            var best = -1
            var bestTime = Int64.max
            var unfetched = false
            for k in tps.indices {
                if let q = local[k], !q.isEmpty {
                    let time = q.items[q.head].time
                    if best < 0 || time < bestTime { (best, bestTime) = (k, time) }
                } else if assigned.contains(tps[k]) {
                    if emptyUnfetched[k] == nil {
                        let tp = tps[k]
                        emptyUnfetched[k] = highWatermark(tp).map { $0 > (fetchedEnd[tp] ?? position(tp) ?? 0) } ?? true
                    }
                    if emptyUnfetched[k]! { unfetched = true }
                }
            }
            guard best >= 0 else {
                waitingSince[p] = nil
                return
            }
            guard mayRelease(p, unfetched: unfetched, now: now) else { return }
            out.append(local[best]!.pop())
            buffered -= 1
        }
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
