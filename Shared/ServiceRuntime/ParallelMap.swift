import Dispatch
import Foundation

/// Pure per-item work (decoding and encoding JSON) spread over the machine's cores.
enum ParallelMap {
    static let cores = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// `body(0..<count)` in order; on several threads when there are at least `minimum` items per thread. Each
    /// thread's CPU time in it is added to `phase` of `cpu`.
    static func map<T>(_ count: Int, minimum: Int = 64, cpu: PhaseCPU? = nil, _ phase: PhaseCPU.Phase = .decode,
                       _ body: (Int) -> T) -> [T] {
        let threads = min(cores, count / max(1, minimum))
        guard threads > 1 else {
            guard let cpu else { return (0..<count).map(body) }
            return cpu.measure(phase) { (0..<count).map(body) }
        }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress!
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let body = body
                nonisolated(unsafe) let base = base
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    // Each thread initializes its own slice of the buffer.
                    let lower = count * t / threads, upper = count * (t + 1) / threads
                    let start = cpu == nil ? 0 : PhaseCPU.threadSeconds()
                    for i in lower..<upper { (base + i).initialize(to: body(i)) }
                    cpu?.add(phase, seconds: PhaseCPU.threadSeconds() - start)
                }
            }
            initialized = count
        }
    }
}
