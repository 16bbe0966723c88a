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
        // No librdkafka thread runs in this process yet.
        #expect(value("kafka", in: page) == 0)
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
