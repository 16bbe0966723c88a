import CallCenterDomain
import EventContract
import Foundation
import KafkaClient

/// Step 3, latency at a fixed rate: calls offered at --rate per second for --seconds, each read back where it comes
/// out; through routing-service, through a raw relay (the same client settings, no decoding, no state) and through
/// the broker alone.
struct LatencyStep {
    let bench: Bench

    /// Offers calls to `inTopic` (each call ends 50 calls later, so agents free up) and returns the latencies (ms,
    /// sorted) of the messages on `outTopic` that `latency` recognizes. The reader asks the broker to answer fetches
    /// within 2 ms, so that it adds little (at 1 ms Tansu's answers came irregularly: a probe's p99 for one hop was
    /// 0.5–1.2 s, against 6 ms at 2 ms).
    /// A second reader of the same offers, read at the same time (the one-hop floor next to the relay's two hops).
    struct AlsoReading {
        var label: String
        var topic: String
        var fetchWaitMilliseconds: Int
        var latency: @Sendable (ConsumedMessage) -> Int64?
    }

    /// - Parameter label: what the step measures, for its lines.
    func measure(_ label: String, into inTopic: String, readFrom outTopic: String, callPrefix: String,
                 latency: @escaping @Sendable (ConsumedMessage) -> Int64?) async throws -> [Int64] {
        try await measure(label, into: inTopic, readFrom: outTopic, callPrefix: callPrefix, latency: latency, alsoReading: nil).primary
    }

    func measure(_ label: String, into inTopic: String, readFrom outTopic: String, callPrefix: String,
                 latency: @escaping @Sendable (ConsumedMessage) -> Int64?,
                 alsoReading also: AlsoReading?) async throws -> (primary: [Int64], also: [Int64]) {
        let (rate, seconds) = (bench.options.rate, bench.options.seconds)
        let reader = try KafkaConsumer(configuration: ConsumerConfiguration(common: bench.common, groupID: "bench-l-\(bench.run)-\(callPrefix)",
                                                                            fetchMaxWaitMilliseconds: 2), topics: [])
        try await Bench.assignAll(reader, outTopic, fromEnd: true)
        let alsoReader = try also.map { a in
            try KafkaConsumer(configuration: ConsumerConfiguration(common: bench.common, groupID: "bench-l-\(bench.run)-\(callPrefix)-also",
                                                                   fetchMaxWaitMilliseconds: a.fetchWaitMilliseconds), topics: [])
        }
        if let alsoReader, let also { try await Bench.assignAll(alsoReader, also.topic, fromEnd: true) }
        let total = rate * seconds
        // Warm-up: one offer at a time until the first comes through (consumers assigned, connections made).
        var warm = 0
        while (try? await reader.poll(maxMessages: 100, timeout: .milliseconds(1)))?.contains(where: { _ in true }) != true && warm < 300 {
            let at = Timestamp(millisecondsSinceEpoch: Bench.nowMs())
            try await bench.offerProducer.send(batch: [
                Bench.event(TelephonyEvents.CallOffered(callId: "\(callPrefix)w\(warm)", callCenterId: "cc0", callerNumber: "+81311112222",
                                                        dialedNumber: "+81312345678", at: EventTime(at)),
                            topic: inTopic, id: "\(callPrefix)w\(warm)", time: at),
                Bench.event(TelephonyEvents.CallEnded(callId: "\(callPrefix)w\(warm)", at: EventTime(at)),
                            topic: inTopic, id: "\(callPrefix)we\(warm)", time: at)])
            warm += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        func read(_ consumer: KafkaConsumer, _ latency: @escaping @Sendable (ConsumedMessage) -> Int64?) -> Task<[Int64], any Error> {
            Task {
                var result: [Int64] = []
                let deadline = ContinuousClock.now + .seconds(seconds + 20)
                while result.count < total && ContinuousClock.now < deadline {
                    for m in try await consumer.poll(maxMessages: 2_000, timeout: .milliseconds(50)) {
                        if let l = latency(m) { result.append(l) }
                    }
                }
                return result
            }
        }
        let reading = read(reader, latency)
        let alsoReading = alsoReader.map { read($0, also!.latency) }
        let interval = Duration.microseconds(1_000_000 / rate)
        var next = ContinuousClock.now
        let producer = bench.offerProducer
        for i in 0..<total {
            let at = Timestamp(millisecondsSinceEpoch: Bench.nowMs())
            var batch = [Bench.event(TelephonyEvents.CallOffered(callId: "\(callPrefix)\(i)", callCenterId: "cc\(i % 50)",
                                                                 callerNumber: "+81311112222", dialedNumber: "+81312345678", at: EventTime(at)),
                                     topic: inTopic, id: "\(callPrefix)\(i)", time: at)]
            if i >= 50 {
                batch.append(Bench.event(TelephonyEvents.CallEnded(callId: "\(callPrefix)\(i - 50)", at: EventTime(at)),
                                         topic: inTopic, id: "\(callPrefix)e\(i)", time: at))
            }
            Task { [batch] in try? await producer.send(batch: batch) }
            next = next + interval
            try await Task.sleep(until: next, clock: .continuous)
        }
        func sorted(_ unsorted: [Int64], _ label: String) -> [Int64] {
            let slow = unsorted.enumerated().filter { $0.element > 200 }
            if let first = slow.first, let last = slow.last {
                Bench.say("  \(label): \(slow.count) of \(unsorted.count) offers over 200 ms, between the \(first.offset)th and the \(last.offset)th")
            }
            return unsorted.sorted()
        }
        let primary = sorted(try await reading.value, label)
        var second: [Int64] = []
        if let alsoReading, let also { second = sorted(try await alsoReading.value, also.label) }
        await reader.close()
        await alsoReader?.close()
        return (primary, second)
    }

    static func percentile(_ sorted: [Int64], _ p: Double) -> Int64 {
        sorted.isEmpty ? -1 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    /// "p50 … ms, p99 … ms, p99.9 … ms" of sorted latencies.
    static func percentiles(_ sorted: [Int64]) -> String {
        "p50 \(percentile(sorted, 0.5)) ms, p99 \(percentile(sorted, 0.99)) ms, p99.9 \(percentile(sorted, 0.999)) ms"
    }

    /// The latency of a `call.offered` read back as it was produced (its event time is when it was sent), skipping the
    /// warm-up offers (call ids starting with `warmUp`).
    static func offerLatency(skipping warmUp: String) -> @Sendable (ConsumedMessage) -> Int64? {
        { m in
            guard let e = try? CloudEventCodec.decode(value: m.value, headers: []), case .callOffered(let c) = e.event,
                  !c.callId.hasPrefix(warmUp) else { return nil }
            return Bench.nowMs() - e.attributes.time.millisecondsSinceEpoch
        }
    }

    /// The latency of routing's `offered-to-agent` for offers `L<n>` (the offer's event time is when it was produced).
    static let routingLatency: @Sendable (ConsumedMessage) -> Int64? = { m in
        guard let e = try? CloudEventCodec.decode(value: m.value, headers: []), case .offeredToAgent(let o) = e.event,
              o.callId.hasPrefix("L"), !o.callId.hasPrefix("Lw") else { return nil }
        return Bench.nowMs() - o.at.timestamp.millisecondsSinceEpoch
    }
}
