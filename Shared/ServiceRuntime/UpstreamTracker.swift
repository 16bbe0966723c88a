import KafkaClient
import Synchronization

/// Follows the upstream services' progress per partition (see `UpstreamService`).
///
/// A check for partition p starts at an instant S: it samples the first upstream's input ends once, then
/// waits (over later calls) until that upstream's committed offsets reach them; then the same for the next
/// upstream, whose ends are sampled only then, so that they include what the one before produced. When the
/// last upstream has caught up, everything that was on the upstreams' inputs at S has been processed and
/// its outputs are on the broker: events that arrived before S may go. Sampling the ends once per check
/// (not on every call) matters under steady traffic: ends sampled anew would always be a little ahead of
/// the upstream's committed offsets, and the check would never finish.
///
/// The checks' state is locked only between the broker's answers, never across them. A check left from a
/// partition this instance lost finishes at once if the partition comes back (committed offsets only grow), and a
/// new one starts.
final class UpstreamTracker: Sendable {
    struct Reader: Sendable {
        var service: String
        var topics: [String]
        var consumer: KafkaConsumer
    }

    private struct Check {
        var started: ContinuousClock.Instant
        var stage = 0
        var target: [TopicPartition: Int64]?
    }

    let readers: [Reader]
    let partitionCount: Int
    private let checks = Mutex<[Int32: Check]>([:])

    init(readers: [Reader], partitionCount: Int) {
        self.readers = readers
        self.partitionCount = max(1, partitionCount)
    }

    /// Advances the checks of these partitions; returns, for those whose check finished, the instant it started.
    /// - Parameters:
    ///   - ends: asks the broker for end offsets now.
    ///   - fetched: how far this service has fetched a topic-partition itself; a broker may report less as its
    ///     end (Tansu 0.6: the last record batch's base offset + 1).
    func advance(_ partitions: [Int32], now: ContinuousClock.Instant,
                 ends: ([TopicPartition]) async -> [TopicPartition: Int64],
                 fetched: (TopicPartition) -> Int64?) async -> [Int32: ContinuousClock.Instant] {
        checks.withLock { checks in
            for p in partitions where checks[p] == nil { checks[p] = Check(started: now) }
        }
        for (stage, reader) in readers.enumerated() {
            let (here, unsampled) = checks.withLock { checks in
                let here = partitions.filter { checks[$0]?.stage == stage }
                return (here, here.filter { checks[$0]?.target == nil })
            }
            guard !here.isEmpty else { continue }
            // Sample the ends for the partitions that start this stage.
            let sample = unsampled.flatMap { p in reader.topics.map { TopicPartition(topic: $0, partition: p) } }
            let end = sample.isEmpty ? [:] : await ends(sample)
            let all = (0..<Int32(partitionCount)).flatMap { p in reader.topics.map { TopicPartition(topic: $0, partition: p) } }
            let committed = try? await reader.consumer.committed(all, timeout: .seconds(2))
            checks.withLock { checks in
                for p in Set(sample.map(\.partition)) {
                    let tps = reader.topics.map { TopicPartition(topic: $0, partition: p) }
                    guard tps.allSatisfy({ end[$0] != nil }) else { continue }  // asked again on the next call
                    checks[p]?.target = Dictionary(uniqueKeysWithValues: tps.map { ($0, max(end[$0]!, fetched($0) ?? 0)) })
                }
                guard let committed else { return }
                // A group that has committed nothing is not deployed (or not started yet): not waited for.
                let deployed = committed.values.contains { $0 != nil }
                for p in here {
                    guard let target = checks[p]?.target else { continue }
                    if !deployed || target.allSatisfy({ ((committed[$0.key] ?? nil) ?? 0) >= $0.value }) {
                        checks[p]?.stage = stage + 1
                        checks[p]?.target = nil
                    }
                }
            }
        }
        return checks.withLock { checks in
            var finished: [Int32: ContinuousClock.Instant] = [:]
            for p in partitions {
                if let c = checks[p], c.stage == readers.count {
                    finished[p] = c.started
                    checks[p] = nil
                }
            }
            return finished
        }
    }
}
