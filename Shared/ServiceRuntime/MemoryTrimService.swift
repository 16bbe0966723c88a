import CAllocator
import ServiceLifecycle

/// Hands memory that the process has freed back to the system, every `interval`.
///
/// An allocator keeps freed memory for reuse; after a burst (catching up, a large batch) a service's RSS
/// stays at its peak although little of it is in use: measured with glibc's malloc on report-service after
/// 2.6 million events, 321 MB resident of which `malloc_trim` returned 205 MB (routing-service: 101 → 65 MB).
/// jemalloc returns pages by itself after a second (its background thread); this purges the rest.
/// Operators size containers by RSS, so the services release it regularly (`CC_MALLOC_TRIM_MS`, 0: never).
struct MemoryTrimService: Service {
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    cc_allocator_release_free_memory()
                }
            }
        } catch is CancellationError {
            // Shutting down.
        }
    }
}
