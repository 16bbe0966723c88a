/// Interprets key presses on a personal phone during a call (F6–F9; the grammar
/// table of docs/product-rules.md). `*` or `#` puts the customer on hold at once and starts
/// collecting; the sequence ends after a pause with no key, measured on event
/// time, so `expire(now:)` is driven by the service's clock or clock ticks.
public struct DTMFInterpreter: Hashable, Codable, Sendable {
    public enum Phase: Hashable, Codable, Sendable {
        /// Talking; digits go to the customer as tones.
        case talking
        /// Held by `*0`; `*` releases.
        case heldByStarZero
        /// Collecting keys after `*` or `#` (the customer is on hold).
        case collecting(prefix: String, digits: String, lastKeyAt: Timestamp, wasHeld: Bool)
    }

    public private(set) var phase: Phase = .talking
    /// The inter-digit pause that ends a sequence (default 3 s).
    public var pauseMilliseconds: Int64

    public init(pauseMilliseconds: Int64 = 3_000) { self.pauseMilliseconds = pauseMilliseconds }

    /// Whether the customer is on hold by keys right now.
    public var isHolding: Bool { phase != .talking }

    /// When the current sequence ends unless another key comes (nil when not collecting).
    public var deadline: Timestamp? {
        if case .collecting(_, _, let last, _) = phase { return last.adding(milliseconds: pauseMilliseconds) }
        return nil
    }

    /// A key press at event time `at`. A pause that already passed ends the previous sequence first.
    /// `resolver` is built only when a sequence names a transfer target (it maps every account's extension).
    /// The most digits a sequence keeps (E.164 numbers have at most 15; national forms a few more).
    public static let maximumDigits = 32

    public mutating func press(_ key: String, at: Timestamp, resolver: @autoclosure () -> TransferTargetResolver) -> [DTMFAction] {
        guard key.count == 1, let k = key.first, "0123456789*#".contains(k) else {
            return [.rejected(keys: String(key.prefix(8)), reason: .invalidKey)]
        }
        var actions = expire(now: at, resolver: resolver())
        switch phase {
        case .talking:
            if k == "*" || k == "#" {
                phase = .collecting(prefix: String(k), digits: "", lastKeyAt: at, wasHeld: false)
                actions.append(.hold)
            }
        case .heldByStarZero:
            if k == "*" || k == "#" {
                phase = .collecting(prefix: String(k), digits: "", lastKeyAt: at, wasHeld: true)
            }
        case .collecting(let prefix, let digits, _, let wasHeld):
            // Keys come from outside: a sequence longer than any number keeps its first digits only (it then
            // resolves to no target and is rejected), so held state stays bounded.
            let kept = digits.utf8.count < Self.maximumDigits ? digits + String(k) : digits
            phase = .collecting(prefix: prefix, digits: kept, lastKeyAt: at, wasHeld: wasHeld)
        }
        return actions
    }

    /// Ends the sequence if its pause has passed by `now`, returning what it meant.
    public mutating func expire(now: Timestamp, resolver: @autoclosure () -> TransferTargetResolver) -> [DTMFAction] {
        guard case .collecting(let prefix, let digits, let last, _) = phase,
              now.milliseconds(since: last) >= pauseMilliseconds else { return [] }
        phase = .talking
        switch (prefix, digits) {
        case ("*", "0"):
            phase = .heldByStarZero  // F6: stays on hold until `*`
            return []
        case ("*", ""), ("#", ""):
            return [.unhold]  // F6 `*` releases; F8 a stray `#` releases by itself
        case ("#", "700"):
            return [.park]  // F7
        default:
            let mode: TransferMode = prefix == "*" ? .attended : .blind
            switch resolver().resolve(digits) {
            case .success(let target): return [.transfer(mode, target)]  // F9
            case .failure(let why): return [.unhold, .rejected(keys: prefix + digits, reason: why)]
            }
        }
    }
}
