import CallCenterDomain
import EventContract
import KafkaClient
@testable import ServiceRuntime
import TestSupport
import Testing

/// Event-time order across a partition's input topics (issue 10: replays decide as the first run).
@Suite("Input merger")
struct InputMergerTests {
    let telephony = "cc.telephony.events", decisions = "cc.routing.decisions"
    var offsets: [String: Int64] = [:]

    func message(_ topic: String, offset: Int64, second: Int, partition: Int32 = 0) -> (ConsumedMessage, Result<DecodedEvent, EventDecodingError>) {
        let out = TestEvents.callOffered(topic: topic, tenant: "t", id: "\(topic)-\(offset)", callID: "c\(offset)",
                                         at: TestEvents.t0.adding(seconds: second))
        let m = ConsumedMessage(topic: topic, partition: partition, offset: offset, key: out.key, value: out.value,
                                headers: [], timestampMilliseconds: nil)
        return (m, Result { () throws(EventDecodingError) in try CloudEventCodec.decode(value: m.value, headers: []) })
    }

    func ids(_ pending: [InputMerger.Pending]) -> [String] {
        pending.map { p in (try? p.decoded.get().attributes.id) ?? "undecodable@\(p.message.topic)-\(p.message.offset)" }
    }

    var both: Set<TopicPartition> {
        [TopicPartition(topic: telephony, partition: 0), TopicPartition(topic: decisions, partition: 0)]
    }

    @Test("events of two topics come out in event-time order; ties go to the topic listed first")
    func order() {
        var merger = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2))
        // Fetched out of order: all decisions first, then the telephony events.
        for (o, s) in [(0, 1), (1, 3), (2, 5)] { let (m, d) = message(decisions, offset: Int64(o), second: s); merger.add(m, d) }
        for (o, s) in [(0, 1), (1, 2), (2, 4), (3, 6)] { let (m, d) = message(telephony, offset: Int64(o), second: s); merger.add(m, d) }
        // Everything was fetched: the broker's ends equal what is buffered.
        let out = merger.release(now: .now, assigned: both, position: { _ in 0 }, highWatermark: { $0.topic == telephony ? 4 : 3 })
        #expect(ids(out) == ["\(telephony)-0", "\(decisions)-0", "\(telephony)-1", "\(decisions)-1", "\(telephony)-2",
                             "\(decisions)-2", "\(telephony)-3"])
        #expect(merger.buffered == 0)
    }

    @Test("a trace only reports: with and without it, the same events, same order, same waiting (random cases)")
    func traceDoesNotDecide() {
        var rng = SystemRandomNumberGenerator()
        let topics = ["a", "b", "c"]
        for _ in 0..<300 {
            let maxBuffered = Int.random(in: 5...40, using: &rng)
            var fast = InputMerger(topics: topics, maxIdle: .seconds(2), maxBuffered: maxBuffered)
            var general = fast
            var next: [TopicPartition: Int64] = [:]
            var assigned: Set<TopicPartition> = []
            var high: [TopicPartition: Int64] = [:]
            var start = ContinuousClock.now
            for round in 0..<4 {
                for topic in topics {
                    for p in Int32(0)...1 {
                        let tp = TopicPartition(topic: topic, partition: p)
                        if Bool.random(using: &rng) { assigned.insert(tp) }
                        for _ in 0..<Int.random(in: 0...4, using: &rng) {
                            let o = next[tp, default: 0]
                            next[tp] = o + 1
                            let (m, d) = message(topic, offset: o, second: Int.random(in: 0...20, using: &rng), partition: p)
                            fast.add(m, d, arrived: start)
                            general.add(m, d, arrived: start)
                        }
                        // The broker's end: unknown, what was fetched, or more.
                        switch Int.random(in: 0...2, using: &rng) {
                        case 0: high[tp] = nil
                        case 1: high[tp] = next[tp, default: 0]
                        default: high[tp] = next[tp, default: 0] + 1
                        }
                    }
                }
                start += .milliseconds(Int.random(in: 0...1_500, using: &rng))
                let now = start
                let position: (TopicPartition) -> Int64? = { _ in round == 0 ? nil : 0 }
                let limit = Bool.random(using: &rng) ? Int.max : Int.random(in: 1...6, using: &rng)
                let a = fast.release(now: now, assigned: assigned, limit: limit, position: position, highWatermark: { high[$0] })
                let b = general.release(now: now, assigned: assigned, limit: limit, position: position, highWatermark: { high[$0] },
                                        trace: { _, _ in })
                #expect(a.count <= limit)
                #expect(ids(a) == ids(b) && a.map(\.message.partition) == b.map(\.message.partition))
                #expect(fast.buffered == general.buffered && fast.takeGaveUpWaiting() == general.takeGaveUpWaiting())
            }
        }
    }

    @Test("a release stops at its limit; the next one starts with the next partition and nothing is lost or reordered")
    func releaseLimit() {
        let tps = (Int32(0)...2).flatMap { p in [telephony, decisions].map { TopicPartition(topic: $0, partition: p) } }
        var limited = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2))
        for p in Int32(0)...2 {
            for o in 0..<10 {
                let topic = o % 2 == 0 ? telephony : decisions
                let (m, d) = message(topic, offset: Int64(o / 2), second: o, partition: p)
                limited.add(m, d)
            }
        }
        var unlimited = limited
        let all = unlimited.release(now: .now, assigned: Set(tps), position: { _ in 0 }, highWatermark: { _ in 5 })
        #expect(all.count == 30)
        var batches: [[InputMerger.Pending]] = []
        while limited.buffered > 0, batches.count < 100 {
            batches.append(limited.release(now: .now, assigned: Set(tps), limit: 4, position: { _ in 0 }, highWatermark: { _ in 5 }))
        }
        #expect(batches.map(\.count) == [4, 4, 4, 4, 4, 4, 4, 2])
        // Partition 0 gives 4, then partition 1 goes first (partition 0 still holds events), then partition 2.
        #expect(batches.prefix(3).map { $0.map(\.message.partition) } == [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]])
        for p in Int32(0)...2 {
            let released = batches.joined().filter { $0.message.partition == p }
            #expect(ids(released) == ids(all.filter { $0.message.partition == p }), "partition \(p) in event-time order")
        }
    }

    @Test("an input fetched far ahead is paused at a tenth of the buffer limit and resumed below a fiftieth")
    func flowControl() {
        var merger = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2), maxBuffered: 1_000)
        let ahead = TopicPartition(topic: telephony, partition: 0)
        // Telephony fetched far ahead; decisions has unfetched data, so nothing may go out yet.
        func add(_ n: Int, from first: Int) {
            for o in first..<(first + n) { let (m, d) = message(telephony, offset: Int64(o), second: o); merger.add(m, d) }
        }
        func release(_ p: Int64) -> [InputMerger.Pending] {
            merger.release(now: .now, assigned: both, position: { $0.topic == decisions ? p : 0 },
                           highWatermark: { $0.topic == decisions ? 200 : 10_000 })
        }
        add(100, from: 0)
        #expect(release(0).isEmpty)
        #expect(merger.flowControl(paused: []) == ([], []), "100 events: not crowded")
        add(1, from: 100)
        #expect(merger.flowControl(paused: []) == ([ahead], []), "101 events (more than a tenth of 1,000): paused")
        #expect(merger.flowControl(paused: [ahead]) == ([], []), "stays paused")
        // Decisions catch up (nothing unfetched any more): telephony events drain.
        #expect(release(200).count == 101)
        #expect(merger.flowControl(paused: [ahead]) == ([], [ahead]), "drained below a fiftieth: resumed")
    }

    @Test("a queue lets go of its storage once drained (it held megabytes for good after catching up)")
    func storageReleased() {
        var merger = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2))
        for o in 0..<3_000 { let (m, d) = message(telephony, offset: Int64(o), second: o); merger.add(m, d) }
        #expect(merger.reservedSlots >= 3_000)
        let out = merger.release(now: .now, assigned: both, position: { _ in 0 }, highWatermark: { $0.topic == telephony ? 3_000 : 0 })
        #expect(out.count == 3_000 && merger.buffered == 0)
        #expect(merger.reservedSlots == 0)
    }

    @Test("a partition waits while another input holds unfetched data, and goes on after the idle limit")
    func waits() {
        var merger = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2))
        let (m, d) = message(telephony, offset: 0, second: 10)
        merger.add(m, d)
        let start = ContinuousClock.now
        // decisions: the broker has 5 messages we have not fetched.
        func release(at t: ContinuousClock.Instant) -> [InputMerger.Pending] {
            merger.release(now: t, assigned: both, position: { _ in 0 }, highWatermark: { $0.topic == decisions ? 5 : 1 })
        }
        #expect(release(at: start).isEmpty)
        #expect(release(at: start + .milliseconds(1_900)).isEmpty)
        #expect(ids(release(at: start + .milliseconds(2_000))) == ["\(telephony)-0"], "the idle limit releases it")

        var caughtUp = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2))
        caughtUp.add(m, d)
        #expect(ids(caughtUp.release(now: start, assigned: both, position: { _ in 5 }, highWatermark: { $0.topic == decisions ? 5 : 1 }))
                == ["\(telephony)-0"], "an input that is caught up does not hold anything back")
        var unknown = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2))
        unknown.add(m, d)
        #expect(unknown.release(now: start, assigned: both, position: { _ in nil }, highWatermark: { _ in nil }).isEmpty,
                "an input whose end is not known yet is waited for")
        #expect(ids(unknown.release(now: start, assigned: [TopicPartition(topic: telephony, partition: 0)], position: { _ in nil },
                                    highWatermark: { _ in nil })) == ["\(telephony)-0"], "topics not assigned are not waited for")
    }

    @Test("a full buffer gives up waiting only beyond what flow control lets in: each input's pause threshold and two polled batches")
    func capacityCoversFlowControl() {
        let usage = "cc.usage"
        let three: Set<TopicPartition> = both.union([TopicPartition(topic: usage, partition: 0)])
        // 1,000 events configured, paused above 100; batches of 200: 3 × (100 + 2 × 200) = 1,500 may arrive.
        var merger = InputMerger(topics: [telephony, decisions, usage], maxIdle: .seconds(2), maxBuffered: 1_000)
        #expect(merger.capacity(batch: 200) == 1_500)
        #expect(merger.capacity(batch: .max) == 3 * (100 + 2 * 1_000), "an unlimited release counts the buffer as its batch")
        func add(_ topic: String, _ offsets: Range<Int64>) {
            for o in offsets {
                let (m, d) = message(topic, offset: o, second: Int(o))
                merger.add(m, d)
            }
        }
        let start = ContinuousClock.now
        func release(at t: ContinuousClock.Instant) -> [InputMerger.Pending] {
            // usage holds 5 messages nobody fetched yet: the others wait for it.
            merger.release(now: t, assigned: three, limit: 200, position: { _ in 0 }, highWatermark: { $0.topic == usage ? 5 : 10_000 })
        }
        add(telephony, 0..<700)
        add(decisions, 0..<700)
        #expect(merger.buffered == 1_400)
        #expect(release(at: start).isEmpty, "over the configured 1,000 but within what flow control lets in: it waits")
        #expect(merger.takeGaveUpWaiting().isEmpty)
        add(telephony, 700..<800)
        #expect(!release(at: start).isEmpty, "1,500 held: it gives up waiting")
        #expect(merger.takeGaveUpWaiting() == [0])
    }

    @Test("releasing without waiting any longer is reported once per episode, not once per batch")
    func gaveUpOncePerEpisode() {
        var merger = InputMerger(topics: [telephony, decisions], maxIdle: .zero)
        func step(_ offset: Int64, decisionsEnd: Int64) -> Set<Int32> {
            let (m, d) = message(telephony, offset: offset, second: Int(offset))
            merger.add(m, d)
            let out = merger.release(now: .now, assigned: both, position: { _ in 0 },
                                     highWatermark: { $0.topic == decisions ? decisionsEnd : offset + 1 })
            #expect(ids(out) == ["\(telephony)-\(offset)"])
            return merger.takeGaveUpWaiting()
        }
        #expect(step(0, decisionsEnd: 5) == [0], "decisions has unfetched data: gave up at once (no idle time)")
        #expect(step(1, decisionsEnd: 5) == [], "the same episode")
        #expect(step(2, decisionsEnd: 5) == [])
        #expect(step(3, decisionsEnd: 0) == [], "decisions caught up: the episode ends")
        #expect(step(4, decisionsEnd: 5) == [0], "a new episode is reported again")
    }

    @Test("an input that looks caught up from cached offsets is confirmed with the broker, once for what arrived before")
    func verifies() async {
        var merger = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2), confirmsEnds: true)
        let (m, d) = message(decisions, offset: 0, second: 10)
        merger.add(m, d)
        let broker = FakeBroker()
        broker.end = { $0.topic == telephony ? 3 : 1 }  // telephony: 3 messages the cached end does not know about
        func release() async -> [InputMerger.Pending] {
            await merger.release(now: .now, assigned: both, position: { _ in 0 }, highWatermark: { $0.topic == decisions ? 1 : 0 },
                                 broker: broker)
        }
        #expect(await release().isEmpty, "telephony holds unfetched messages: wait")
        #expect(broker.endQueries == 1)
        broker.end = { $0.topic == telephony ? 0 : 1 }
        #expect(await release().isEmpty, "the answer was asked after the event arrived: it still counts until asked again")
        #expect(broker.endQueries == 1)
        var fresh = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2), confirmsEnds: true)
        fresh.add(m, d)
        #expect(ids(await fresh.release(now: .now, assigned: both, position: { _ in 0 }, highWatermark: { $0.topic == decisions ? 1 : 0 },
                                        broker: broker)) == ["\(decisions)-0"])
        var unanswered = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2), confirmsEnds: true)
        unanswered.add(m, d)
        broker.end = { _ in nil }
        #expect(await unanswered.release(now: .now, assigned: both, position: { _ in 0 }, highWatermark: { $0.topic == decisions ? 1 : 0 },
                                         broker: broker).isEmpty, "a failed query does not count as caught up")
    }

    @Test("an event waits until the upstream services have processed what was on their inputs when it arrived")
    func upstream() async {
        var merger = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2), confirmsEnds: true, followsUpstream: true)
        let (m, d) = message(telephony, offset: 0, second: 10)
        merger.add(m, d)
        let broker = FakeBroker()
        var decisionsEnd: Int64 = 0
        broker.end = { [telephony] tp in tp.topic == telephony ? 1 : 0 }
        func release() async -> [InputMerger.Pending] {
            await merger.release(now: .now, assigned: both, position: { _ in 0 }, highWatermark: { $0.topic == telephony ? 1 : 0 },
                                 broker: broker)
        }
        #expect(await release().isEmpty, "routing has not processed what was there yet (it restarts, say): wait")
        #expect(broker.upstreamAsked == [[0]])
        // Routing catches up, and on its way produces a decision older than the telephony event.
        broker.upstreamCaughtUp = true
        decisionsEnd = 1
        broker.end = { [telephony, decisionsEnd] tp in tp.topic == telephony ? 1 : decisionsEnd }
        #expect(await release().isEmpty, "the decision routing produced before it caught up is not fetched yet: wait for it")
        let (dm, dd) = message(decisions, offset: 0, second: 5)
        merger.add(dm, dd)
        #expect(ids(await release()) == ["\(decisions)-0", "\(telephony)-0"], "the decision goes first, as in a run without the restart")
        #expect(merger.takeGaveUpWaiting().isEmpty)
    }

    @Test("an undecodable message keeps its place in its topic; revoked partitions are forgotten")
    func undecodable() {
        var merger = InputMerger(topics: [telephony, decisions], maxIdle: .seconds(2))
        let (a, da) = message(telephony, offset: 0, second: 5)
        merger.add(a, da)
        let bad = ConsumedMessage(topic: telephony, partition: 0, offset: 1, key: Array("t".utf8), value: Array("{".utf8),
                                  headers: [], timestampMilliseconds: nil)
        merger.add(bad, .failure(EventDecodingError(.invalidJSON, "x")))
        let (b, db) = message(decisions, offset: 0, second: 6)
        merger.add(b, db)
        let (other, dother) = message(telephony, offset: 0, second: 1, partition: 1)
        merger.add(other, dother)
        merger.drop(partitions: [1])
        let out = merger.release(now: .now, assigned: both, position: { _ in nil },
                                 highWatermark: { $0.topic == telephony ? 2 : 1 })
        #expect(ids(out) == ["\(telephony)-0", "undecodable@\(telephony)-1", "\(decisions)-0"])
        #expect(merger.buffered == 0)
    }
}

/// The broker as the merger sees it without asking, from closures.
struct ClosureBrokerView: MergerBrokerView {
    let positions: (TopicPartition) -> Int64?
    let ends: (TopicPartition) -> Int64?
    func position(_ tp: TopicPartition) -> Int64? { positions(tp) }
    func cachedEnd(_ tp: TopicPartition) -> Int64? { ends(tp) }
}

/// The broker's answers, scripted by a test (used from one test at a time).
final class FakeBroker: MergerBrokerQueries, @unchecked Sendable {
    var end: (TopicPartition) -> Int64? = { _ in nil }
    var upstreamCaughtUp = false
    private(set) var endQueries = 0
    private(set) var upstreamAsked: [[Int32]] = []

    func endOffsets(_ tps: [TopicPartition]) async -> [TopicPartition: Int64] {
        endQueries += 1
        return Dictionary(uniqueKeysWithValues: tps.compactMap { tp in end(tp).map { (tp, $0) } })
    }

    func upstreamCaughtUp(_ partitions: [Int32], fetched: [TopicPartition: Int64]) async -> [Int32: ContinuousClock.Instant] {
        upstreamAsked.append(partitions)
        return upstreamCaughtUp ? Dictionary(uniqueKeysWithValues: partitions.map { ($0, ContinuousClock.now) }) : [:]
    }
}

extension InputMerger {
    /// A release from closures (no broker questions).
    mutating func release(now: ContinuousClock.Instant, assigned: Set<TopicPartition>, limit: Int = .max,
                          position: @escaping (TopicPartition) -> Int64?, highWatermark: @escaping (TopicPartition) -> Int64?,
                          trace: ((Pending, String) -> Void)? = nil) -> [Pending] {
        release(now: now, assigned: assigned, limit: limit, view: ClosureBrokerView(positions: position, ends: highWatermark), trace: trace)
    }

    /// As the event loop does it: the questions, the broker's answers, then the release.
    mutating func release(now: ContinuousClock.Instant, assigned: Set<TopicPartition>, position: @escaping (TopicPartition) -> Int64?,
                          highWatermark: @escaping (TopicPartition) -> Int64?, broker: FakeBroker) async -> [Pending] {
        let view = ClosureBrokerView(positions: position, ends: highWatermark)
        let questions = questions(assigned: assigned, view: view)
        if !questions.isEmpty { note(await InputMerger.ask(questions, broker)) }
        return release(now: now, assigned: assigned, view: view)
    }
}
