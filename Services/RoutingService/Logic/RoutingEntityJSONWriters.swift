import CallCenterDomain
import EventContract
import FastJSON

// routing-service's state entities that change with every call (an agent, a call in progress) write their own JSON:
// the bytes their synthesized `Codable` gives through Foundation's sorted-keys encoder, without `Codable`'s generic
// containers (most of the state diff's time per batch, as measured by `make bench`); they live here, next to the
// processor that owns routing's state, as `JSON.encode` finds them at run time. Tests compare the bytes
// with Foundation's for random values. A stored property added to one of these types must be added here too: the
// tests fail until it is.

extension AgentRouting: SortedJSONWritable {
    public func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.object("activity", activity, &out)
        o.int("consecutiveNoAnswers", consecutiveNoAnswers, &out)
        o.int64("idleSince", idleSince.millisecondsSinceEpoch, &out)
        o.string("presence", presence.rawValue, &out)
        o.end(&out)
    }
}

extension AgentRouting.Activity: SortedJSONWritable {
    /// Synthesized enum coding: `{"case":{labels, or _0, for the values}}`.
    public func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        switch self {
        case .idle: o.object("idle", &out)
        case .ringing(let call): o.object("ringing", &out) { c, out in c.string("_0", call, &out) }
        case .onCall(let call): o.object("onCall", &out) { c, out in c.string("_0", call, &out) }
        case .wrapUp(let until): o.object("wrapUp", &out) { c, out in c.int64("until", until.millisecondsSinceEpoch, &out) }
        }
        o.end(&out)
    }
}

extension RoutedCall: SortedJSONWritable {
    public func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.int64("arrivedAt", arrivedAt.millisecondsSinceEpoch, &out)
        o.int("attempts", attempts, &out)
        o.string("callCenterID", callCenterID, &out)
        o.string("callerNumber", callerNumber, &out)
        o.string("id", id, &out)
        o.object("phase", phase, &out)
        if let plan { o.object("plan", plan, &out) }
        o.int64("sequence", sequence, &out)
        o.strings("triedAccounts", triedAccounts, &out)  // in the set's order, as Foundation writes a set
        o.end(&out)
    }
}

extension RoutedCall.Phase: SortedJSONWritable {
    public func writeSortedJSON(to out: inout [UInt8]) {
        func accountAndDeadline(_ account: AccountID, _ deadline: Timestamp) -> (inout SortedJSONObject, inout [UInt8]) -> Void {
            { c, out in
                c.string("_0", account, &out)
                c.int64("deadline", deadline.millisecondsSinceEpoch, &out)
            }
        }
        var o = SortedJSONObject(&out)
        switch self {
        case .queued: o.object("queued", &out)
        case .ringing(let account, let deadline): o.object("ringing", &out, members: accountAndDeadline(account, deadline))
        case .awaitingConfirmation(let account, let deadline):
            o.object("awaitingConfirmation", &out, members: accountAndDeadline(account, deadline))
        case .connected(let account): o.object("connected", &out) { c, out in c.string("_0", account, &out) }
        }
        o.end(&out)
    }
}

extension DeliveryPlan: SortedJSONWritable {
    public func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.string("accountID", accountID, &out)
        o.int("channels", channels, &out)
        o.string("delivery", delivery.rawValue, &out)
        if let dialNumber { o.object("dialNumber", dialNumber, &out) }
        o.object("features", RoutingEvents.Features(features), &out)  // the same four flags, the same keys
        o.string("phoneType", phoneType?.rawValue, &out)
        o.string("presentedCallerID", presentedCallerID, &out)
        o.int("ringTimeoutSeconds", ringTimeoutSeconds, &out)
        o.end(&out)
    }
}

extension PhoneNumber: SortedJSONWritable {
    public func writeSortedJSON(to out: inout [UInt8]) {
        var o = SortedJSONObject(&out)
        o.string("category", category.rawValue, &out)
        o.string("e164", e164, &out)
        o.end(&out)
    }
}
