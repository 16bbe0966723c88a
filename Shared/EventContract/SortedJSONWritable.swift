import CallCenterDomain

/// A payload that writes its own JSON: the bytes Foundation's sorted-keys encoder writes, without `Codable`.
/// For the payloads routing-service writes for every call (`Codable` costs several microseconds per event,
/// most of it in generic containers; see docs/benchmarks.md). Tests compare the bytes with Foundation's for
/// every sample and for random values.
protocol SortedJSONWritable {
    func writeSortedJSON(to out: inout [UInt8])
}

/// Writes one JSON object whose members are given in sorted key order.
struct SortedJSONObject {
    private var first = true

    init(_ out: inout [UInt8]) { out.append(UInt8(ascii: "{")) }

    private mutating func key(_ key: StaticString, _ out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func string(_ key: StaticString, _ value: String, _ out: inout [UInt8]) {
        self.key(key, &out)
        JSONString.append(value, to: &out)
    }

    /// An optional member is left out when nil (as synthesized `Codable` does).
    mutating func string(_ key: StaticString, _ value: String?, _ out: inout [UInt8]) {
        guard let value else { return }
        string(key, value, &out)
    }

    mutating func int(_ key: StaticString, _ value: Int, _ out: inout [UInt8]) {
        self.key(key, &out)
        value.writeJSON(to: &out)
    }

    mutating func int64(_ key: StaticString, _ value: Int64, _ out: inout [UInt8]) {
        self.key(key, &out)
        value.writeJSON(to: &out)
    }

    /// An array of strings, in the collection's order.
    mutating func strings(_ key: StaticString, _ values: some Collection<String>, _ out: inout [UInt8]) {
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
    mutating func object(_ key: StaticString, _ out: inout [UInt8],
                         members: (inout SortedJSONObject, inout [UInt8]) -> Void = { _, _ in }) {
        self.key(key, &out)
        var nested = SortedJSONObject(&out)
        members(&nested, &out)
        nested.end(&out)
    }

    mutating func bool(_ key: StaticString, _ value: Bool, _ out: inout [UInt8]) {
        self.key(key, &out)
        value.writeJSON(to: &out)
    }

    mutating func object(_ key: StaticString, _ value: some SortedJSONWritable, _ out: inout [UInt8]) {
        self.key(key, &out)
        value.writeSortedJSON(to: &out)
    }

    func end(_ out: inout [UInt8]) { out.append(UInt8(ascii: "}")) }
}

extension StatusEvents.ChannelsChanged: SortedJSONWritable {
    func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.string("at", at.description, &out)
        o.string("callId", callId, &out)
        o.int("delta", delta, &out)
        o.int("inUse", inUse, &out)
        o.string("legId", legId, &out)
        o.int("limit", limit, &out)
        o.end(&out)
    }
}

extension RoutingEvents.Features: SortedJSONWritable {
    func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.bool("crmPopup", crmPopup, &out)
        o.bool("holdCounted", holdCounted, &out)
        o.bool("holdVisible", holdVisible, &out)
        o.bool("openCti", openCti, &out)
        o.end(&out)
    }
}

extension DeliveryAnnouncement: SortedJSONWritable {
    func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.string("callCenterName", callCenterName, &out)
        o.string("callerNumberLast4", callerNumberLast4, &out)
        o.int("waitedSeconds", waitedSeconds, &out)
        o.end(&out)
    }
}

extension RoutingEvents.OfferedToAgent: SortedJSONWritable {
    func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.string("accountId", accountId, &out)
        if let announcement { o.object("announcement", announcement, &out) }
        o.string("at", at.description, &out)
        o.int("attempt", attempt, &out)
        o.string("callCenterId", callCenterId, &out)
        o.string("callId", callId, &out)
        o.int("channels", channels, &out)
        o.string("delivery", delivery.rawValue, &out)
        o.string("dialNumber", dialNumber, &out)
        o.object("features", features, &out)
        o.string("legId", legId, &out)
        o.string("phoneType", phoneType?.rawValue, &out)
        o.string("presentedCallerId", presentedCallerId, &out)
        o.int("ringTimeoutSeconds", ringTimeoutSeconds, &out)
        o.end(&out)
    }
}
