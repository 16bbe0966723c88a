import Foundation

/// JSON for the services: the bytes Foundation's `JSONEncoder` writes with `[.sortedKeys, .withoutEscapingSlashes]`,
/// and what Foundation's `JSONDecoder` reads with its default strategies, several times faster.
///
/// - `encode` writes a value that has its own writer (`SortedJSONWritable`) with it, others straight to bytes as
///   `encode(to:)` gives them (`StreamingJSONWriter`); values Foundation treats specially (dates, data, URLs,
///   decimals, non-finite numbers) or written out of order go through Foundation's encoder.
/// - `decode` indexes the text once (`JSONDocument`) and reads members by comparing key bytes (`FastJSONDecoder`);
///   types Foundation decodes in its own way go through Foundation's decoder. Errors are Foundation's
///   `DecodingError` cases with the same coding paths.
public enum JSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let writable = value as? any SortedJSONWritable {
            var out: [UInt8] = []
            out.reserveCapacity(256)
            writable.writeSortedJSON(to: &out)
            return out
        }
        do {
            return try StreamingJSONWriter.encode(value)
        } catch is StreamingJSONWriter.OutOfOrder {
            return Array(try foundationEncoder.encode(value))
        } catch is StreamingJSONWriter.Unsupported {
            return Array(try foundationEncoder.encode(value))
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        do {
            return try FastJSONDecoder.decode(T.self, from: bytes)
        } catch is FastJSONDecoder.Unsupported {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(T.self, from: Array(data))
    }

    /// Whether the bytes are one JSON text (RFC 8259).
    public static func isValid(_ bytes: [UInt8]) -> Bool { (try? JSONDocument(bytes)) != nil }

    /// Foundation's encoder, as `encode` falls back to it (shared: it is thread-safe once configured). Sorted keys:
    /// without them the order varies between processes, and the same value would not encode to the same bytes.
    static let foundationEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Foundation's order for sorted keys: Swift's string order (code points).
    static func precedes(_ a: String, _ b: String) -> Bool { a < b }
}
