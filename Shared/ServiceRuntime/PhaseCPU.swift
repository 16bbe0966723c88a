#if canImport(Glibc)
import Glibc
#endif
import Prometheus
import Synchronization

/// CPU time the service spends in each phase of its work (`cc_phase_cpu_seconds_total{phase}`).
///
/// Each phase is timed with the CPU clock of the thread that runs it (`CLOCK_THREAD_CPUTIME_ID`), so that phases
/// running on several threads at once add up instead of overlapping, and time spent waiting for a core counts for
/// nothing. librdkafka's own threads (fetching, producing, acknowledgements) are read from /proc when /metrics is
/// scraped. What no phase covers (polling, the runtime's scheduling, HTTP) is the process's CPU time minus their sum.
public final class PhaseCPU: Sendable {
    public enum Phase: String, CaseIterable, Sendable {
        /// CloudEvents decoding of consumed messages (on all cores).
        case decode
        /// The input merger: adding consumed events and releasing them in event-time order.
        case merge
        /// Admission, dedup and the processor's handlers, timers included.
        case decide
        /// What changed: the entities each tenant's batch changed, as JSON, and their changelog records.
        case changelog
        /// Output events as CloudEvents JSON (on all cores).
        case encode
        /// The SQLite transaction: entities, offsets, the outbox.
        case store
        /// Handing a committed batch to the producer, and settling its acknowledgements.
        case produce
        /// librdkafka's threads (consumer and producer).
        case kafka
    }

    private let counters: [Phase: Counter]
    /// librdkafka's threads' CPU seconds at the last scrape, by thread id (only the threads alive then).
    private let kafkaThreadSeconds = Mutex<[Int: Double]>([:])

    init(registry: PrometheusCollectorRegistry, labels: [(String, String)]) {
        counters = Dictionary(uniqueKeysWithValues: Phase.allCases.map { phase in
            (phase, registry.makeCounter(name: "cc_phase_cpu_seconds_total", labels: labels + [("phase", phase.rawValue)],
                                         help: "CPU time spent in each phase of the service's work, in seconds"))
        })
    }

    /// Runs `body` and adds the calling thread's CPU time in it to `phase`.
    public func measure<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
        let start = Self.threadSeconds()
        defer { add(phase, seconds: Self.threadSeconds() - start) }
        return try body()
    }

    public func add(_ phase: Phase, seconds: Double) {
        if seconds > 0 { counters[phase]?.increment(by: seconds) }
    }

    /// The calling thread's CPU time so far, in seconds.
    public static func threadSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Adds what librdkafka's threads used since the last scrape to `kafka`. Each thread's /proc stat file is read
    /// with plain system calls into a buffer: Foundation's directory listing and string files, at every scrape,
    /// cost about 3% of the service's CPU while a benchmark scraped every 20 ms.
    func refreshKafkaThreads() {
        #if os(Linux)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticks > 0, let directory = opendir("/proc/self/task") else { return }
        defer { closedir(directory) }
        var now: [Int: Double] = [:]
        var buffer = [UInt8](repeating: 0, count: 512)
        while let entry = readdir(directory) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) { Int(String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)) }
            guard let tid else { continue }
            let fd = open("/proc/self/task/\(tid)/stat", O_RDONLY)
            guard fd >= 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard count > 0, let seconds = Self.kafkaThreadSeconds(stat: buffer[..<count], ticks: ticks) else { continue }
            now[tid] = seconds
        }
        let added = kafkaThreadSeconds.withLock { last in
            var added = 0.0
            for (tid, seconds) in now {
                added += max(0, seconds - (last[tid] ?? 0))
            }
            // Bounded by the threads alive now: ended threads' entries go.
            last = now
            return added
        }
        add(.kafka, seconds: added)
        #endif
    }

    /// user + system seconds from a thread's stat line ("tid (comm) state ... utime stime ...") when its command
    /// is one of librdkafka's threads ("rdk:..."); nil otherwise.
    static func kafkaThreadSeconds(stat: ArraySlice<UInt8>, ticks: Double) -> Double? {
        guard let open = stat.firstIndex(of: UInt8(ascii: "(")), let close = stat.lastIndex(of: UInt8(ascii: ")")),
              stat[(open + 1)...].starts(with: Array("rdk:".utf8)) else { return nil }
        // After the command: state is field 3, utime field 14 and stime 15.
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 12, let user = Double(String(decoding: fields[11], as: UTF8.self)),
              let system = Double(String(decoding: fields[12], as: UTF8.self)) else { return nil }
        return (user + system) / ticks
    }
}
