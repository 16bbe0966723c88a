import Foundation

/// The outgoing messages of one batch as a single outbox value: one SQLite row per batch instead of one per
/// message (a batch of 2,000 events has about 10,000 messages with the changelog's).
///
/// Layout: a version byte (1), then per message: topic, partition (flag byte, Int32), key, value, content type
/// (flag byte, bytes); byte strings are a UInt32 length and the bytes; integers little-endian.
/// Encoded straight into `Data`, the type SQLite is handed (an array converted to it was one more copy of a
/// batch's outputs).
enum OutboxFrame {
    typealias Message = (topic: String, partition: Int32?, key: String, value: [UInt8], contentType: String?)

    static let version: UInt8 = 1

    static func encode(_ messages: [Message]) -> Data {
        var size = 1
        for m in messages {
            size += 22 + m.topic.utf8.count + m.key.utf8.count + m.value.count + (m.contentType?.utf8.count ?? 0)
        }
        var out = Data(capacity: size)
        out.append(version)
        for m in messages {
            append(m.topic, to: &out)
            out.append(m.partition == nil ? 0 : 1)
            append(m.partition ?? 0, to: &out)
            append(m.key, to: &out)
            append(UInt32(m.value.count), to: &out)
            out.append(contentsOf: m.value)
            if let c = m.contentType {
                out.append(1)
                append(c, to: &out)
            } else {
                out.append(0)
            }
        }
        return out
    }

    private static func append<T: FixedWidthInteger>(_ v: T, to out: inout Data) {
        withUnsafeBytes(of: v.littleEndian) { out.append($0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: $0.count) }
    }

    private static func append(_ s: String, to out: inout Data) {
        append(UInt32(s.utf8.count), to: &out)
        if s.utf8.withContiguousStorageIfAvailable({ out.append($0) }) == nil { out.append(contentsOf: Array(s.utf8)) }
    }

    /// The messages, or nil when the bytes are not a frame this version wrote.
    static func decode(_ frame: [UInt8]) -> [Message]? {
        guard frame.first == version else { return nil }
        var i = 1
        func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
            let n = MemoryLayout<T>.size
            guard i + n <= frame.count else { return nil }
            var v: T = 0
            for k in 0..<n { v |= T(truncatingIfNeeded: frame[i + k]) << (8 * k) }
            i += n
            return v
        }
        func bytes() -> ArraySlice<UInt8>? {
            guard let n = integer(UInt32.self).map(Int.init), i + n <= frame.count else { return nil }
            defer { i += n }
            return frame[i..<(i + n)]
        }
        func flag() -> Bool? {
            guard i < frame.count, frame[i] <= 1 else { return nil }
            defer { i += 1 }
            return frame[i] == 1
        }
        var messages: [Message] = []
        while i < frame.count {
            guard let topic = bytes(), let hasPartition = flag(), let partition = integer(Int32.self), let key = bytes(),
                  let value = bytes(), let hasContentType = flag() else { return nil }
            var contentType: String?
            if hasContentType {
                guard let c = bytes() else { return nil }
                contentType = String(decoding: c, as: UTF8.self)
            }
            messages.append((String(decoding: topic, as: UTF8.self), hasPartition ? partition : nil,
                             String(decoding: key, as: UTF8.self), Array(value), contentType))
        }
        return messages
    }
}
