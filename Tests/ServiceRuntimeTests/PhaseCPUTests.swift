import CAllocator
import Foundation
@testable import ServiceRuntime
import Testing

/// The CPU time by phase that /metrics exports, and the allocator the services run on.
@Suite("Phase CPU and allocator")
struct PhaseCPUTests {
    /// Busy work for about `seconds` of this thread's CPU time.
    func burn(_ seconds: Double) -> Double {
        let start = PhaseCPU.threadSeconds()
        var x = 1.0
        while PhaseCPU.threadSeconds() - start < seconds { for i in 1...10_000 { x = (x * Double(i)).truncatingRemainder(dividingBy: 7919) } }
        return x
    }

    func value(_ phase: String, in page: String) -> Double? {
        page.split(separator: "\n").first { $0.hasPrefix("cc_phase_cpu_seconds_total{") && $0.contains("phase=\"\(phase)\"") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test("a measured phase counts its thread's CPU time, on one thread or on all cores; the others stay at zero")
    func measuredPhases() throws {
        let metrics = ServiceMetrics(serviceName: "test-service")
        _ = metrics.phaseCPU.measure(.decide) { burn(0.05) }
        // On every core at once: each thread's own time adds up (the wall time would not).
        _ = ParallelMap.map(ParallelMap.cores * 64, cpu: metrics.phaseCPU, .encode) { _ in burn(0.0005) }
        let page = String(decoding: metrics.render(), as: UTF8.self)
        let decide = try #require(value("decide", in: page))
        #expect(decide >= 0.05 && decide < 1)
        let encode = try #require(value("encode", in: page))
        #expect(encode >= 0.0005 * Double(ParallelMap.cores * 64) * 0.9)
        for phase in ["decode", "merge", "changelog", "store", "produce"] {
            #expect(value(phase, in: page) == 0, "\(phase)")
        }
        #expect(value("kafka", in: page) != nil)
    }

    @Test("librdkafka's threads are told by their command in /proc's stat line, whatever it holds; other threads count for nothing")
    func kafkaThreadStat() {
        // utime 250 and stime 50 ticks at 100 ticks a second: 3 s.
        let rdk = "4242 (rdk:broker1) S 1 2 3 0 -1 4194368 100 0 0 0 250 50 0 0 20 0 30 0 12345 0 0"
        #expect(PhaseCPU.kafkaThreadSeconds(stat: ArraySlice(rdk.utf8), ticks: 100) == 3)
        // A command may hold spaces and parentheses: the fields start after the last ")".
        let odd = "7 (rdk:main) x) S 1 2 3 0 -1 4194368 100 0 0 0 10 10 0 0 20 0 30 0 12345 0 0"
        #expect(PhaseCPU.kafkaThreadSeconds(stat: ArraySlice(odd.utf8), ticks: 100) == 0.2)
        let other = "4243 (NIO-ELT-0-#0) S 1 2 3 0 -1 4194368 100 0 0 0 250 50 0 0 20 0 30 0 12345 0 0"
        #expect(PhaseCPU.kafkaThreadSeconds(stat: ArraySlice(other.utf8), ticks: 100) == nil)
        #expect(PhaseCPU.kafkaThreadSeconds(stat: ArraySlice("4244 (rdk:broker2) S 1".utf8), ticks: 100) == nil)
        #expect(PhaseCPU.kafkaThreadSeconds(stat: ArraySlice("garbage".utf8), ticks: 100) == nil)
    }

    #if os(Linux)
    @Test("malloc is jemalloc's in a process linked with the service runtime")
    func allocator() {
        let name = String(cString: cc_allocator_name())
        #expect(name.hasPrefix("jemalloc 5."), "\(name)")
        cc_allocator_release_free_memory()  // does not crash, with or without freed memory
    }
    #endif
}
