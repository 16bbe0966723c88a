import Synchronization

/// A shareable boolean flag for threads that run until told to stop.
final class RunFlag: Sendable {
    private let value: Atomic<Bool>
    init(_ initial: Bool) { value = Atomic(initial) }
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set(_ newValue: Bool) { value.store(newValue, ordering: .releasing) }
    /// Sets the flag and returns its previous value.
    func exchange(_ newValue: Bool) -> Bool { value.exchange(newValue, ordering: .acquiringAndReleasing) }
}
