#if canImport(Glibc)
import Glibc
#endif
import Prometheus
import Synchronization

/// The Prometheus registry of one service instance and the runtime's own metrics.
/// Kept per instance (no global bootstrap), so several services can share a test process.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let consumed: Counter
    public let produced: Counter
    public let deadLettered: Counter
    public let batchLatency: DurationHistogram
    /// Where a batch's time goes: deciding (decode, handlers, state diff), storing (encoding the outputs, SQLite),
    /// producing (broker acks).
    public let decidePhase: DurationHistogram
    public let storePhase: DurationHistogram
    public let producePhase: DurationHistogram
    public let consumerLag: Gauge
    public let ready: Gauge
    /// The process's CPU time (user + system) from `getrusage`, set at each scrape: what the service's work costs.
    public let processCPU: Gauge
    /// CPU time by phase of the work (`cc_phase_cpu_seconds_total{phase}`).
    public let phaseCPU: PhaseCPU

    let serviceName: String

    public init(serviceName: String) {
        self.serviceName = serviceName
        let r = PrometheusCollectorRegistry()
        registry = r
        let labels = [("service", serviceName)]
        consumed = r.makeCounter(name: "cc_events_consumed_total", labels: labels, help: "Events consumed")
        produced = r.makeCounter(name: "cc_events_produced_total", labels: labels, help: "Events produced")
        deadLettered = r.makeCounter(name: "cc_events_deadlettered_total", labels: labels,
                                     help: "Messages sent to the dead-letter topic")
        let buckets: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                                   .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                   .milliseconds(250), .seconds(1)]
        batchLatency = r.makeDurationHistogram(name: "cc_batch_duration_seconds", labels: labels, buckets: buckets,
                                               help: "Time to process one consumed batch, from poll to commit")
        func phase(_ name: String) -> DurationHistogram {
            r.makeDurationHistogram(name: "cc_batch_phase_seconds", labels: labels + [("phase", name)], buckets: buckets,
                                    help: "Time of one phase of a batch")
        }
        decidePhase = phase("decide")
        storePhase = phase("store")
        producePhase = phase("produce")
        consumerLag = r.makeGauge(name: "cc_consumer_lag", labels: labels,
                                  help: "Messages behind the end of the assigned partitions")
        ready = r.makeGauge(name: "cc_ready", labels: labels, help: "1 when the service is ready")
        processCPU = r.makeGauge(name: "cc_process_cpu_seconds", labels: labels,
                                 help: "CPU time (user + system) the process has used, in seconds")
        phaseCPU = PhaseCPU(registry: r, labels: labels)
    }

    /// The channel ledger over the tenants this instance holds (routing-service): the highest share of a tenant's
    /// contract limit in use, and how many tenants are at their limit. Two series, whatever the number of tenants.
    public func channelGauges() -> (highestShare: Gauge, atLimit: Gauge) {
        let labels = [("service", serviceName)]
        return (registry.makeGauge(name: "cc_channels_in_use_ratio_max", labels: labels,
                                   help: "Highest share of a tenant's contract channel limit in use (0 to 1)"),
                registry.makeGauge(name: "cc_tenants_at_channel_limit", labels: labels,
                                   help: "Tenants whose channels in use are at their contract limit"))
    }

    /// Gauges read from the service's state when scraped, not on every batch.
    private let scrapeRefreshers = Mutex<[@Sendable () -> Void]>([])

    /// Runs `refresh` before each scrape, to set gauges whose value is read from the service's state.
    public func refreshBeforeScrape(_ refresh: @escaping @Sendable () -> Void) {
        scrapeRefreshers.withLock { $0.append(refresh) }
    }

    public func render() -> [UInt8] {
        processCPU.set(Self.ownCPUSeconds())
        phaseCPU.refreshKafkaThreads()
        for refresh in scrapeRefreshers.withLock({ $0 }) { refresh() }
        return registry.emitToBuffer()
    }

    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
