import CallCenterDomain
import FastJSON

// Contract payloads written for every call write their own JSON (see `SortedJSONWritable`).

extension StatusEvents.ChannelsChanged: SortedJSONWritable {
    public func writeSortedJSON(to out: inout [UInt8]) {
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
    public func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.bool("crmPopup", crmPopup, &out)
        o.bool("holdCounted", holdCounted, &out)
        o.bool("holdVisible", holdVisible, &out)
        o.bool("openCti", openCti, &out)
        o.end(&out)
    }
}

extension DeliveryAnnouncement: SortedJSONWritable {
    public func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.string("callCenterName", callCenterName, &out)
        o.string("callerNumberLast4", callerNumberLast4, &out)
        o.int("waitedSeconds", waitedSeconds, &out)
        o.end(&out)
    }
}

extension RoutingEvents.OfferedToAgent: SortedJSONWritable {
    public func writeSortedJSON(to out: inout [UInt8]) {
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
