import KafkaClient

/// What the merger needs the broker to tell it before it can decide (asked outside the loop's lock).
struct MergerQuestions: Sendable {
    /// An input whose end may need confirming: it looked caught up from the cached ends.
    struct EndCandidate: Sendable {
        /// The newest arrival among its partition's buffered events.
        var newestArrival: ContinuousClock.Instant
        /// As of when the upstream services were known to have caught up on this partition.
        var upstreamAt: ContinuousClock.Instant?
        /// When its end was last confirmed.
        var verifiedAt: ContinuousClock.Instant?
    }

    /// Partitions whose upstream check must advance (those holding events that arrived after its last result).
    var upstreamBehind: [Int32] = []
    /// How far this service fetched each topic-partition itself (for the upstream check).
    var fetched: [TopicPartition: Int64] = [:]
    var endCandidates: [TopicPartition: EndCandidate] = [:]

    var isEmpty: Bool { upstreamBehind.isEmpty && endCandidates.isEmpty }
}

/// The broker's answers to `MergerQuestions`.
struct MergerAnswers: Sendable {
    var upstreamCaughtUp: [Int32: ContinuousClock.Instant] = [:]
    /// The ends confirmed, and the instant they were asked at (they hold at least for events that arrived before).
    var ends: [TopicPartition: Int64] = [:]
    var endsAskedAt: ContinuousClock.Instant = .now
}

extension InputMerger {
    /// What to ask the broker before the next `release`, for every partition holding events.
    func questions(assigned: Set<TopicPartition>, view: some MergerBrokerView) -> MergerQuestions {
        guard confirmsEnds || followsUpstream else { return MergerQuestions() }
        var newestArrival: [Int32: ContinuousClock.Instant] = [:]
        for (tp, q) in queues where !q.isEmpty {
            let newest = q.items[q.items.count - 1].arrived
            newestArrival[tp.partition] = max(newestArrival[tp.partition] ?? newest, newest)
        }
        var questions = MergerQuestions()
        if followsUpstream {
            questions.upstreamBehind = newestArrival.filter { p, newest in upstreamAt[p].map { $0 < newest } ?? true }.keys.sorted()
            questions.fetched = fetchedEnd
        }
        guard confirmsEnds else { return questions }
        // Every input that may need confirming in the coming release, asked at once (the requests overlap),
        // rather than one partition after the other as the release comes to them.
        for (p, newest) in newestArrival {
            for topic in topics {
                let tp = TopicPartition(topic: topic, partition: p)
                guard assigned.contains(tp), let end = view.cachedEnd(tp), end <= (fetchedEnd[tp] ?? view.position(tp) ?? 0) else { continue }
                questions.endCandidates[tp] = .init(newestArrival: newest, upstreamAt: upstreamAt[p], verifiedAt: verified[tp]?.at)
            }
        }
        return questions
    }

    /// Asks the broker: first the upstream services' progress, then the inputs' ends, so that what the upstreams
    /// produced by the instant they caught up is in the ends asked afterwards.
    static func ask(_ questions: MergerQuestions, _ broker: some MergerBrokerQueries) async -> MergerAnswers {
        var answers = MergerAnswers()
        if !questions.upstreamBehind.isEmpty {
            answers.upstreamCaughtUp = await broker.upstreamCaughtUp(questions.upstreamBehind, fetched: questions.fetched)
        }
        let ask = questions.endCandidates.filter { tp, c in
            let upstream = [c.upstreamAt, answers.upstreamCaughtUp[tp.partition]].compactMap { $0 }.max()
            let needed = upstream.map { max($0, c.newestArrival) } ?? c.newestArrival
            return c.verifiedAt.map { $0 < needed } ?? true
        }.keys.sorted { ($0.partition, $0.topic) < ($1.partition, $1.topic) }
        if !ask.isEmpty {
            answers.endsAskedAt = .now
            answers.ends = await broker.endOffsets(ask)
        }
        return answers
    }
}
