import Foundation
import StatusService
import Synchronization
import TestSupport
import Testing

/// The live monitor streams: capped per tenant and overall, one render per change for all of a tenant's streams.
@Suite("Monitor streams")
struct MonitorStreamsTests {
    @Test("T1 streams are capped per tenant and overall, and a closed stream frees its place")
    func caps() async throws {
        let streams = MonitorStreams(maximumPerTenant: 2, maximumOverall: 3) { _ in nil }
        // A subscription lives as long as its stream: keep them all.
        var held = [try streams.subscribe(tenant: "a"), try streams.subscribe(tenant: "a")]
        #expect(throws: MonitorStreams.Refusal.tenantFull(limit: 2)) { _ = try streams.subscribe(tenant: "a") }
        held.append(try streams.subscribe(tenant: "b"))
        #expect(throws: MonitorStreams.Refusal.serviceFull(limit: 3)) { _ = try streams.subscribe(tenant: "c") }
        streams.end(held[0].id, of: "a")
        #expect(streams.count == 2 && streams.count(of: "a") == 1)
        held.append(try streams.subscribe(tenant: "c"))
        #expect(streams.count == 3)
        held.removeAll()
        try await eventually("a stream nobody reads any more is closed") { streams.count == 0 }
    }

    @Test("T1 every stream of a tenant gets the same frame, rendered once per change")
    func sharedFrames() async throws {
        let renders = Mutex(0)
        let version = Mutex(1)
        let streams = MonitorStreams(interval: .milliseconds(10)) { tenant in
            renders.withLock { $0 += 1 }
            return #"{"tenant":"\#(tenant)","v":\#(version.withLock { $0 })}"#
        }
        let subscriptions = try (0..<5).map { _ in try streams.subscribe(tenant: "a") }
        var firsts: [String] = []
        for s in subscriptions {
            var iterator = s.frames.makeAsyncIterator()
            if let frame = await iterator.next() { firsts.append(frame) }
        }
        #expect(firsts.count == 5 && Set(firsts).count == 1 && firsts[0].contains(#""v":1"#), "\(firsts)")
        version.withLock { $0 = 2 }
        var seconds: [String] = []
        for s in subscriptions {
            var iterator = s.frames.makeAsyncIterator()
            while let frame = await iterator.next() {
                if frame.contains(#""v":2"#) { seconds.append(frame); break }
            }
        }
        #expect(seconds.count == 5 && Set(seconds).count == 1, "a change reaches every stream as one frame")
        for s in subscriptions { streams.end(s.id, of: "a") }
        #expect(streams.count == 0)
    }
}
