import EventContract
import Foundation

/// Encodes state entities: sorted keys, so that an unchanged entity always has the same bytes; the fast
/// encoder, with Foundation's for the values it declines (dates, data).
public struct EntityEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> Data {
        if let bytes = try? SortedJSONEncoder.encode(value) { return Data(bytes) }
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try foundation.encode(value)
    }
}
