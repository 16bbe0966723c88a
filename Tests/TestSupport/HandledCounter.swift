import Synchronization

/// How many events a test processor has handled in this process.
public final class HandledCounter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public var value: Int { count.load(ordering: .acquiring) }

    public func increment() { count.add(1, ordering: .releasing) }
}
