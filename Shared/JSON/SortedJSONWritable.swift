/// A value that writes its own JSON: the bytes Foundation's sorted-keys encoder writes from its synthesized
/// `Codable`, without `Codable`'s generic containers. For the values written for every call (payloads, routing's
/// entities), where `Codable` costs several microseconds each. `JSON.encode` uses it when a value has it; tests
/// compare the bytes with Foundation's for random values.
public protocol SortedJSONWritable {
    func writeSortedJSON(to out: inout [UInt8])
}

/// Writes one JSON object whose members are given in sorted key order.
public struct SortedJSONObject {
    private var first = true

    public init(_ out: inout [UInt8]) { out.append(UInt8(ascii: "{")) }

    private mutating func key(_ key: StaticString, _ out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    public mutating func string(_ key: StaticString, _ value: String, _ out: inout [UInt8]) {
        self.key(key, &out)
        JSONString.append(value, to: &out)
    }

    /// An optional member is left out when nil (as synthesized `Codable` does).
    public mutating func string(_ key: StaticString, _ value: String?, _ out: inout [UInt8]) {
        guard let value else { return }
        string(key, value, &out)
    }

    public mutating func int(_ key: StaticString, _ value: Int, _ out: inout [UInt8]) {
        self.key(key, &out)
        value.writeJSON(to: &out)
    }

    public mutating func int64(_ key: StaticString, _ value: Int64, _ out: inout [UInt8]) {
        self.key(key, &out)
        value.writeJSON(to: &out)
    }

    /// An array of strings, in the collection's order.
    public mutating func strings(_ key: StaticString, _ values: some Collection<String>, _ out: inout [UInt8]) {
        self.key(key, &out)
        out.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A nested object whose members `members` writes (an enum case's values, which have no type of their own;
    /// `{}` for a case without values, as synthesized coding writes it).
    public mutating func object(_ key: StaticString, _ out: inout [UInt8],
                         members: (inout SortedJSONObject, inout [UInt8]) -> Void = { _, _ in }) {
        self.key(key, &out)
        var nested = SortedJSONObject(&out)
        members(&nested, &out)
        nested.end(&out)
    }

    public mutating func bool(_ key: StaticString, _ value: Bool, _ out: inout [UInt8]) {
        self.key(key, &out)
        value.writeJSON(to: &out)
    }

    public mutating func object(_ key: StaticString, _ value: some SortedJSONWritable, _ out: inout [UInt8]) {
        self.key(key, &out)
        value.writeSortedJSON(to: &out)
    }

    public func end(_ out: inout [UInt8]) { out.append(UInt8(ascii: "}")) }
}

