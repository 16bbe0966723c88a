import CallCenterDomain
import EventContract
import Hummingbird
import ServiceRuntime

/// The range of a report request (`from`, `to`: RFC 3339).
public enum ReportRange {
    /// The longest range a request may name: a report reads every archived call of its range.
    public static let maximumDays = 400

    public enum Problem: Error { case invalid, tooLong }

    /// The range of a request. With one end given, the other is at most `maximumDays` away; with neither, the
    /// defaults (the data the service holds) within the `maximumDays` that end at `defaultTo` (or the clock).
    public static func parse(from: String?, to: String?, defaultFrom: Timestamp? = nil, defaultTo: Timestamp? = nil,
                             now: Timestamp = ServiceRuntime.EventLoop<ReportProcessor>.wallClock())
        -> Result<(from: Timestamp, to: Timestamp), Problem> {
        let span = maximumDays * 86_400
        let start = from.flatMap { RFC3339.parse($0) }, end = to.flatMap { RFC3339.parse($0) }
        guard (from == nil) == (start == nil), (to == nil) == (end == nil) else { return .failure(.invalid) }
        let range: (from: Timestamp, to: Timestamp)
        switch (start, end) {
        case let (s?, e?): range = (s, e)
        case let (s?, nil): range = (s, min(defaultTo ?? s.adding(seconds: span), s.adding(seconds: span)))
        case let (nil, e?): range = (max(defaultFrom ?? e.adding(seconds: -span), e.adding(seconds: -span)), e)
        case (nil, nil):
            let end = defaultTo ?? now
            range = (max(defaultFrom ?? end.adding(seconds: -span), end.adding(seconds: -span)), end)
        }
        guard range.from < range.to else { return .failure(.invalid) }
        if start != nil || end != nil, range.to.millisecondsSinceEpoch - range.from.millisecondsSinceEpoch > Int64(span) * 1_000 {
            return .failure(.tooLong)
        }
        return .success(range)
    }

    /// The range a request names (`from`, `to`), or a 400 saying what is wrong with it.
    public static func of(_ request: Request, defaultFrom: Timestamp? = nil,
                          defaultTo: Timestamp?) throws(HTTPRefusal) -> (from: Timestamp, to: Timestamp) {
        let q = request.uri.queryParameters
        switch parse(from: q["from"].map(String.init), to: q["to"].map(String.init), defaultFrom: defaultFrom, defaultTo: defaultTo) {
        case .success(let range): return range
        case .failure(.invalid): throw .badRequest("from and to must be RFC 3339 times, from before to")
        case .failure(.tooLong): throw .badRequest("a report covers at most \(maximumDays) days: narrow from and to")
        }
    }
}
