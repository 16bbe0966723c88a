import Foundation

/// `JSON.encode` for `Encodable` values: values are written straight into one buffer as `encode(to:)` gives
/// them, and an object's members are put in key order once the object is complete (its values are already
/// bytes then; one copy of the object's bytes, no value per member on the heap). This relies on values being
/// written one after another, as synthesized `Codable` does; a container written to after a later sibling was
/// started (possible in hand-written `encode(to:)`) makes it throw `OutOfOrder`, and `JSON.encode` falls back to
/// Foundation's encoder.
final class StreamingJSONWriter {
    struct OutOfOrder: Error {}
    /// A value Foundation encodes in its own way (`FoundationSpecialValue`).
    struct Unsupported: Error {}

    /// An open object or array. An object's bytes are its members' values, one after another, until it ends.
    final class Frame {
        let isObject: Bool
        /// Where the container's bytes begin in `out` (after `[` for an array; an object's `{` comes at the end).
        let start: Int
        var keys: [String] = []
        var valueStarts: [Int] = []
        var count = 0
        var closed = false

        init(isObject: Bool, start: Int) {
            self.isObject = isObject
            self.start = start
        }
    }

    var out: [UInt8] = []
    /// Open containers, innermost last.
    private var frames: [Frame] = []
    /// Set by a non-throwing container call that cannot be served in order; checked at the end.
    var failed = false

    init() { out.reserveCapacity(512) }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = StreamingJSONWriter()
        try writer.write(value)
        if writer.failed { throw OutOfOrder() }
        return writer.out
    }

    var depth: Int { frames.count }

    /// Writes one value at the current position and closes every container it opened.
    func write<T: Encodable>(_ value: T) throws {
        if let scalar = value as? any JSONScalar {
            try scalar.writeJSON(to: &out)
            return
        }
        if value is any FoundationSpecialValue { throw Unsupported() }
        let base = frames.count
        let encoder = ValueEncoder(writer: self, depth: base)
        try value.encode(to: encoder)
        close(above: base)
        if !encoder.wroteSomething { out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
    }

    /// Opens a container at the current position.
    func open(object: Bool) -> Frame {
        if !object { out.append(UInt8(ascii: "[")) }
        let frame = Frame(isObject: object, start: out.count)
        frames.append(frame)
        return frame
    }

    /// Makes `frame` the innermost open container (closing the ones opened inside it), before writing to it.
    func prepare(_ frame: Frame) throws {
        guard !frame.closed, let index = frames.lastIndex(where: { $0 === frame }) else { throw OutOfOrder() }
        close(above: index + 1)
    }

    /// Starts the next member (object) or element (array) of `frame`.
    func beginEntry(of frame: Frame, key: String?) throws {
        try prepare(frame)
        if let key {
            frame.keys.append(key)
            frame.valueStarts.append(out.count)
        } else if frame.count > 0 {
            out.append(UInt8(ascii: ","))
        }
        frame.count += 1
    }

    func close(above depth: Int) {
        while frames.count > depth { finish(frames.removeLast()) }
    }

    private func finish(_ frame: Frame) {
        frame.closed = true
        guard frame.isObject else {
            out.append(UInt8(ascii: "]"))
            return
        }
        guard !frame.keys.isEmpty else {
            out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            return
        }
        let end = out.count
        let values = Array(out[frame.start...])
        out.removeSubrange(frame.start...)
        let order = frame.keys.indices.sorted { JSON.precedes(frame.keys[$0], frame.keys[$1]) }
        out.append(UInt8(ascii: "{"))
        for (n, i) in order.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(frame.keys[i], to: &out)
            out.append(UInt8(ascii: ":"))
            let to = i + 1 < frame.valueStarts.count ? frame.valueStarts[i + 1] : end
            out.append(contentsOf: values[(frame.valueStarts[i] - frame.start)..<(to - frame.start)])
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// The encoder handed to one value's `encode(to:)`.
private final class ValueEncoder: Encoder {
    let writer: StreamingJSONWriter
    /// The writer's depth when this value began: its container, if any, is opened right above it.
    let depth: Int
    var frame: StreamingJSONWriter.Frame?
    var wroteSomething = false

    init(writer: StreamingJSONWriter, depth: Int) {
        self.writer = writer
        self.depth = depth
    }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// This value's container: the one it already has, or a new one if nothing was written for it yet.
    private func frame(object: Bool) -> StreamingJSONWriter.Frame {
        if let frame {
            if frame.isObject != object || frame.closed { writer.failed = true }
            return frame
        }
        if wroteSomething || writer.depth != depth { writer.failed = true }
        wroteSomething = true
        let new = writer.open(object: object)
        frame = new
        return new
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(StreamingKeyed<Key>(writer: writer, frame: frame(object: true)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        StreamingUnkeyed(writer: writer, frame: frame(object: false))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { StreamingSingle(encoder: self) }

    /// Before this value writes itself as a single value.
    func beginSingle() throws {
        guard !wroteSomething, frame == nil, writer.depth == depth else { throw StreamingJSONWriter.OutOfOrder() }
        wroteSomething = true
    }
}

private struct StreamingKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: StreamingJSONWriter
    let frame: StreamingJSONWriter.Frame
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {
        try writer.beginEntry(of: frame, key: key.stringValue)
        writer.out.append(contentsOf: "null".utf8)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        try writer.beginEntry(of: frame, key: key.stringValue)
        JSONString.append(value, to: &writer.out)
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try writer.beginEntry(of: frame, key: key.stringValue)
        value.writeJSON(to: &writer.out)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        try writer.beginEntry(of: frame, key: key.stringValue)
        value.writeJSON(to: &writer.out)
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        try writer.beginEntry(of: frame, key: key.stringValue)
        value.writeJSON(to: &writer.out)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try writer.beginEntry(of: frame, key: key.stringValue)
        try value.writeJSON(to: &writer.out)
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try writer.beginEntry(of: frame, key: key.stringValue)
        try writer.write(value)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(StreamingKeyed<NestedKey>(writer: writer, frame: nested(key, object: true)))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        StreamingUnkeyed(writer: writer, frame: nested(key, object: false))
    }
    private func nested(_ key: Key, object: Bool) -> StreamingJSONWriter.Frame {
        do { try writer.beginEntry(of: frame, key: key.stringValue) } catch { writer.failed = true }
        return writer.open(object: object)
    }
    /// Written later by whoever holds it, so not in order: Foundation's encoder handles these.
    mutating func superEncoder() -> any Encoder { declined() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { declined() }
    private func declined() -> any Encoder {
        writer.failed = true
        return ValueEncoder(writer: writer, depth: writer.depth)
    }
}

private struct StreamingUnkeyed: UnkeyedEncodingContainer {
    let writer: StreamingJSONWriter
    let frame: StreamingJSONWriter.Frame
    var codingPath: [any CodingKey] { [] }
    var count: Int { frame.count }

    mutating func encodeNil() throws {
        try writer.beginEntry(of: frame, key: nil)
        writer.out.append(contentsOf: "null".utf8)
    }
    mutating func encode(_ value: String) throws {
        try writer.beginEntry(of: frame, key: nil)
        JSONString.append(value, to: &writer.out)
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try writer.beginEntry(of: frame, key: nil)
        try writer.write(value)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(StreamingKeyed<NestedKey>(writer: writer, frame: nested(object: true)))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        StreamingUnkeyed(writer: writer, frame: nested(object: false))
    }
    private func nested(object: Bool) -> StreamingJSONWriter.Frame {
        do { try writer.beginEntry(of: frame, key: nil) } catch { writer.failed = true }
        return writer.open(object: object)
    }
    mutating func superEncoder() -> any Encoder {
        writer.failed = true
        return ValueEncoder(writer: writer, depth: writer.depth)
    }
}

private struct StreamingSingle: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws {
        try encoder.beginSingle()
        encoder.writer.out.append(contentsOf: "null".utf8)
    }
    mutating func encode(_ value: String) throws {
        try encoder.beginSingle()
        JSONString.append(value, to: &encoder.writer.out)
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.beginSingle()
        try encoder.writer.write(value)
    }
}

/// Values Foundation writes as plain JSON scalars, written the same way.
protocol JSONScalar {
    func writeJSON(to out: inout [UInt8]) throws
}

extension String: JSONScalar {
    func writeJSON(to out: inout [UInt8]) { JSONString.append(self, to: &out) }
}

extension Bool: JSONScalar {
    func writeJSON(to out: inout [UInt8]) { out.append(contentsOf: (self ? "true" : "false").utf8) }
}

extension BinaryInteger where Self: JSONScalar {
    func writeJSON(to out: inout [UInt8]) { out.append(contentsOf: String(self).utf8) }
}

extension Int: JSONScalar {}
extension Int8: JSONScalar {}
extension Int16: JSONScalar {}
extension Int32: JSONScalar {}
extension Int64: JSONScalar {}
extension UInt: JSONScalar {}
extension UInt8: JSONScalar {}
extension UInt16: JSONScalar {}
extension UInt32: JSONScalar {}
extension UInt64: JSONScalar {}

extension BinaryFloatingPoint where Self: JSONScalar & LosslessStringConvertible {
    /// Foundation's form: the shortest representation that reads back the same, without a trailing `.0`.
    func writeJSON(to out: inout [UInt8]) throws {
        guard isFinite else { throw StreamingJSONWriter.Unsupported() }
        var s = description
        if s.hasSuffix(".0") { s.removeLast(2) }
        out.append(contentsOf: s.utf8)
    }
}

extension Double: JSONScalar {}
extension Float: JSONScalar {}

/// Values Foundation's encoder gives special treatment (and options): declined, Foundation's encoder writes them.
protocol FoundationSpecialValue {}
extension Date: FoundationSpecialValue {}
extension Data: FoundationSpecialValue {}
extension URL: FoundationSpecialValue {}
extension Decimal: FoundationSpecialValue {}
