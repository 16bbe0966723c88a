/// The W3C Trace Context `traceparent` of an event (the CloudEvents distributed-tracing extension attribute):
/// `00-<trace id: 32 hex>-<parent id: 16 hex>-<flags: 2 hex>`, lower case. An event derived from another carries its
/// traceparent, so that one call can be followed across topics and services (`ccctl tail --trace`).
public enum TraceParent {
    /// Whether `value` is a traceparent a service passes on. As the W3C recommends, one that is not (another version
    /// with another form, upper case, an all-zero id) is ignored, not refused: the event itself is still good.
    public static func isValid(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
              bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0") else { return false }
        func hex(_ range: Range<Int>) -> Bool {
            bytes[range].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        }
        func zero(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { $0 == UInt8(ascii: "0") } }
        return hex(3..<35) && hex(36..<52) && hex(53..<55) && !zero(3..<35) && !zero(36..<52)
    }

    /// The trace id of a valid traceparent (32 hex digits).
    public static func traceID(of value: String) -> Substring? {
        isValid(value) ? value.dropFirst(3).prefix(32) : nil
    }
}
