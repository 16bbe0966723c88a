import CLZ4
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
    /// A version-1 frame compressed with LZ4 (block format): the version byte, the frame's length (UInt32), the block.
    /// A batch's outputs are about 1 KB of CloudEvents JSON per event; written whole to SQLite's WAL, copied again
    /// at each checkpoint and freed page by page the batch after, they were half of the store phase's CPU.
    static let compressedVersion: UInt8 = 2
    /// The largest frame that is compressed (LZ4 takes at most about 2 GB); larger ones are stored as they are.
    static let largestCompressed = 1 << 30

    /// The messages as a compressed frame (version 2), or as a plain one (version 1) when compressing does not pay.
    static func encode(_ messages: [Message]) -> Data {
        compress(plainFrame(messages))
    }

    static func compress(_ frame: Data) -> Data {
        guard frame.count > 64, frame.count <= largestCompressed else { return frame }
        return frame.withUnsafeBytes { source -> Data in
            let bound = Int(LZ4_compressBound(Int32(source.count)))
            var out = Data(count: 5 + bound)
            let written = out.withUnsafeMutableBytes { target -> Int32 in
                target[0] = compressedVersion
                target.storeBytes(of: UInt32(source.count).littleEndian, toByteOffset: 1, as: UInt32.self)
                return LZ4_compress_default(source.baseAddress!.assumingMemoryBound(to: CChar.self),
                                            (target.baseAddress! + 5).assumingMemoryBound(to: CChar.self), Int32(source.count), Int32(bound))
            }
            guard written > 0, Int(written) + 5 < frame.count else { return frame }
            out.count = 5 + Int(written)
            return out
        }
    }

    /// A version-1 frame: the messages as they are.
    static func plainFrame(_ messages: [Message]) -> Data {
        // Sized first, then written through one pointer: appending field by field to `Data` (a representation check
        // and an exclusivity check per append) and copying each message out of the array were most of its cost.
        messages.withUnsafeBufferPointer { messages in
            var size = 1
            for i in messages.indices {
                // Topic, key and value lengths (4 each), partition flag and value (1 + 4), content type flag (1).
                size += 18 + messages[i].topic.utf8.count + messages[i].key.utf8.count + messages[i].value.count
                    + (messages[i].contentType.map { 4 + $0.utf8.count } ?? 0)
            }
            var out = Data(count: size)
            out.withUnsafeMutableBytes { raw in
                var writer = Writer(next: raw.baseAddress!)
                writer.integer(version)
                for i in messages.indices {
                    writer.string(messages[i].topic)
                    writer.integer(UInt8(messages[i].partition == nil ? 0 : 1))
                    writer.integer(messages[i].partition ?? 0)
                    writer.string(messages[i].key)
                    messages[i].value.withUnsafeBytes { writer.bytes($0) }
                    if let c = messages[i].contentType {
                        writer.integer(UInt8(1))
                        writer.string(c)
                    } else {
                        writer.integer(UInt8(0))
                    }
                }
                precondition(writer.next == raw.baseAddress! + size, "outbox frame size")
            }
            return out
        }
    }

    /// Writes into memory sized beforehand.
    private struct Writer {
        var next: UnsafeMutableRawPointer

        mutating func integer<T: FixedWidthInteger>(_ v: T) {
            next.storeBytes(of: v.littleEndian, as: T.self)
            next += MemoryLayout<T>.size
        }

        /// A UInt32 length, then the bytes.
        mutating func bytes(_ b: UnsafeRawBufferPointer) {
            integer(UInt32(b.count))
            if let base = b.baseAddress { next.copyMemory(from: base, byteCount: b.count) }
            next += b.count
        }

        mutating func string(_ s: String) {
            if s.utf8.withContiguousStorageIfAvailable({ bytes(UnsafeRawBufferPointer($0)) }) == nil {
                Array(s.utf8).withUnsafeBytes { bytes($0) }
            }
        }
    }

    /// The messages, or nil when the bytes are not a frame this version wrote.
    static func decode(_ frame: [UInt8]) -> [Message]? {
        if frame.first == compressedVersion {
            guard frame.count > 5 else { return nil }
            let length = Int(UInt32(frame[1]) | UInt32(frame[2]) << 8 | UInt32(frame[3]) << 16 | UInt32(frame[4]) << 24)
            guard length > 0, length <= largestCompressed else { return nil }
            var plain = [UInt8](repeating: 0, count: length)
            let decompressed = frame.withUnsafeBytes { source in
                plain.withUnsafeMutableBytes { target in
                    LZ4_decompress_safe((source.baseAddress! + 5).assumingMemoryBound(to: CChar.self),
                                        target.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(frame.count - 5), Int32(length))
                }
            }
            guard decompressed == length, plain.first == version else { return nil }
            return decode(plain)
        }
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
