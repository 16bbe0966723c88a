import CallCenterDomain

/// How far ahead of the service's clock an event's times may be.
///
/// Services run their timers on event times (ring timeouts, wrap-ups, the report archive, forgetting old request
/// ids): one event dated years ahead would fire every timer of its tenant and make the rest of its events look
/// late. Such an event is refused (`eventTimeInFuture`) instead of applied; telephony clocks are synchronised, so
/// the allowance only covers their skew.
public struct EventTimeLimit: Sendable, Hashable {
    public var maximumAheadMilliseconds: Int64

    public init(maximumAheadSeconds: Int) {
        maximumAheadMilliseconds = Int64(maximumAheadSeconds).multipliedReportingOverflow(by: 1_000).partialValue
    }

    /// Throws when the event's `time`, or the time inside its data, is further ahead of `now` than allowed.
    public func check(_ event: DecodedEvent, now: Timestamp) throws(EventDecodingError) {
        let latest = now.millisecondsSinceEpoch.addingReportingOverflow(maximumAheadMilliseconds)
        let bound = latest.overflow ? Int64.max : latest.partialValue
        if event.attributes.time.millisecondsSinceEpoch > bound {
            throw EventDecodingError(.eventTimeInFuture, "time \(RFC3339.format(event.attributes.time)) is more than \(maximumAheadMilliseconds / 1_000) s ahead of this service's clock")
        }
        if let at = (event.event.payload as? any TimedPayload)?.at.timestamp, at.millisecondsSinceEpoch > bound {
            throw EventDecodingError(.eventTimeInFuture, "data.at \(RFC3339.format(at)) is more than \(maximumAheadMilliseconds / 1_000) s ahead of this service's clock")
        }
    }
}
