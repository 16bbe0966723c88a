import Foundation

/// A service's batch phases so far (count and seconds in all, from its Prometheus histograms): decide (the loop,
/// under the state lock), store (encoding the outputs and the SQLite transaction), produce (handed to librdkafka →
/// acknowledged by the broker).
struct BatchPhases {
    var totals: [(phase: String, count: Double, seconds: Double)] = []

    static func read(_ service: ServiceUnderTest) async -> BatchPhases {
        guard let lines = await service.metricLines() else { return BatchPhases() }
        return BatchPhases(totals: ["decide", "store", "produce"].map { phase in
            func value(_ suffix: String) -> Double {
                lines.first { $0.hasPrefix("cc_batch_phase_seconds_\(suffix){") && $0.contains("phase=\"\(phase)\"") }
                    .flatMap(ServiceUnderTest.sampleValue) ?? 0
            }
            return (phase, value("count"), value("sum"))
        })
    }

    /// Batches and each phase's mean, of what happened between `before` and these totals.
    func summary(since before: BatchPhases = BatchPhases()) -> String {
        totals.map { a -> String in
            let b = before.totals.first { $0.phase == a.phase }
            let count = a.count - (b?.count ?? 0), seconds = a.seconds - (b?.seconds ?? 0)
            return String(format: "%@ %.0f × %.2f ms", a.phase, count, count > 0 ? 1000 * seconds / count : 0)
        }.joined(separator: ", ")
    }
}
