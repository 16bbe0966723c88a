import CallCenterDomain
import EventContract
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import NIOCore
import ReportService
import ServiceRuntime

// report-service                       runs the service
// report-service report KIND --tenant T [--from ISO] [--to ISO] [--csv] [--url http://127.0.0.1:8084]
//                                      prints a report from a running service (KIND: callcenter|agent|outbound|charges|channels)
//
// HTTP: GET /reports/{kind}?tenant=T&from=ISO&to=ISO   (JSON; CSV with Accept: text/csv or &format=csv)
//       GET /charts/channels.svg?tenant=T&from=..&to=..
//       GET /charts/charges.svg?tenant=T&from=..&to=..
let arguments = CommandLine.arguments
if arguments.count > 1, arguments[1] == "report" {
    exit(await ReportCommand.run(Array(arguments.dropFirst(2))))
}

await ServiceMain.run(serviceName: "report-service", defaultHTTPPort: 8084, processor: ReportProcessor()) { loop in
    /// A tenant's records for a report over [from, to): those in memory and the archived calls offered in the range.
    @Sendable func records(_ tenant: String, _ range: (from: Timestamp, to: Timestamp)) throws -> ReportState {
        let state = loop.state(of: tenant) ?? ReportState()
        let (from, to) = (ReportArchive.rangeKey(range.from), ReportArchive.rangeKey(range.to))
        let calls = try loop.archived(tenant: tenant, field: ReportArchive.callsField, from: from, to: to).map(\.value)
        // The usage points of the range, and the last one before it (the usage in force when the range starts).
        let usage = try loop.archived(tenant: tenant, field: ReportArchive.usageField, from: "", to: from, newestFirst: true, limit: 1)
            + loop.archived(tenant: tenant, field: ReportArchive.usageField, from: from, to: to)
        let legs = try loop.archived(tenant: tenant, field: ReportArchive.legsField, from: from, to: to).map(\.value)
        return ReportArchive.including(calls: calls, usage: usage, legs: legs, in: state)
    }
    return { routes in
        routes.guarded.get("reports/:kind") { request, context -> Response in
            let q = request.uri.queryParameters
            guard let kind = context.parameters.get("kind").flatMap(Reports.Kind.init(rawValue:)) else {
                return JSONResponse.error(.notFound, "kind must be one of \(Reports.Kind.allCases.map(\.rawValue))")
            }
            let tenant = try context.tenant(of: request)
            let range: (from: Timestamp, to: Timestamp)
            switch ReportRange.parse(from: q["from"].map(String.init), to: q["to"].map(String.init),
                                     defaultTo: loop.state(of: tenant)?.latestEventTime?.adding(seconds: 60)) {
            case .success(let r): range = r
            case .failure(let problem): return ReportRange.refusal(problem)
            }
            let state = try records(tenant, range)
            let wantsCSV = q["format"] == "csv" || request.headers[.accept]?.contains("text/csv") == true
            if wantsCSV {
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: ReportRendering.csv(kind, state, from: range.from, to: range.to))))
            }
            switch kind {
            case .callcenter: return JSONResponse.ok(Reports.callCenters(state, from: range.from, to: range.to))
            case .agent: return JSONResponse.ok(Reports.agents(state, from: range.from, to: range.to))
            case .outbound: return JSONResponse.ok(Reports.outbound(state, from: range.from, to: range.to))
            case .charges: return JSONResponse.ok(Reports.charges(state, from: range.from, to: range.to))
            case .channels: return JSONResponse.ok(Reports.channels(state, from: range.from, to: range.to))
            }
        }
        routes.guarded.get("charts/charges.svg") { request, context -> Response in
            let q = request.uri.queryParameters
            let tenant = try context.tenant(of: request)
            let range: (from: Timestamp, to: Timestamp)
            switch ReportRange.parse(from: q["from"].map(String.init), to: q["to"].map(String.init),
                                     defaultTo: loop.state(of: tenant)?.latestEventTime?.adding(seconds: 60)) {
            case .success(let r): range = r
            case .failure(let problem): return ReportRange.refusal(problem)
            }
            let state = try records(tenant, range)
            return Response(status: .ok, headers: [.contentType: "image/svg+xml"],
                            body: .init(byteBuffer: ByteBuffer(string: ReportRendering.chargesSVG(state, from: range.from, to: range.to))))
        }
        routes.guarded.get("charts/channels.svg") { request, context -> Response in
            let q = request.uri.queryParameters
            let tenant = try context.tenant(of: request)
            let current = loop.state(of: tenant) ?? ReportState()
            // By default from the first point (archived or not) to a minute after the last (always in memory).
            let oldest = try loop.archived(tenant: tenant, field: ReportArchive.usageField, from: "", to: "~", limit: 1).first
                .flatMap { try? JSONDecoder().decode(ChannelUsageTimeline.Point.self, from: $0.value) }
            let timeline = current.usageTimeline
            let first = oldest?.at ?? timeline.points.first?.at, last = timeline.points.last?.at
            let range: (from: Timestamp, to: Timestamp)
            switch ReportRange.parse(from: q["from"].map(String.init), to: q["to"].map(String.init),
                                     defaultFrom: first, defaultTo: last.map { $0.adding(seconds: 60) }) {
            case .success(let r): range = r
            case .failure(let problem): return ReportRange.refusal(problem)
            }
            let state = try records(tenant, range)
            return Response(status: .ok, headers: [.contentType: "image/svg+xml"],
                            body: .init(byteBuffer: ByteBuffer(string: ReportRendering.channelsSVG(state, from: range.from, to: range.to))))
        }
    }
}

enum ReportRange {
    /// The longest range a request may name: a report reads every archived call of its range.
    static let maximumDays = 400

    enum Problem: Error { case invalid, tooLong }

    /// The range of a request. With one end given, the other is at most `maximumDays` away; with neither, the
    /// defaults (the data the service holds) within the `maximumDays` that end at `defaultTo` (or the clock).
    static func parse(from: String?, to: String?, defaultFrom: Timestamp? = nil, defaultTo: Timestamp? = nil,
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

    /// The 400 answer for a range that cannot be used.
    static func refusal(_ problem: Problem) -> Response {
        switch problem {
        case .invalid: JSONResponse.error(.badRequest, "from and to must be RFC 3339 times, from before to")
        case .tooLong: JSONResponse.error(.badRequest, "a report covers at most \(maximumDays) days: narrow from and to")
        }
    }
}

/// `report-service report ...`: fetches a report from a running service and prints it.
enum ReportCommand {
    static func run(_ args: [String]) async -> Int32 {
        var kind: String?
        var options: [String: String] = ["url": ProcessInfo.processInfo.environment["CC_REPORT_URL"] ?? "http://127.0.0.1:8084"]
        var csv = false
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--csv" { csv = true } else if a.hasPrefix("--"), i + 1 < args.count {
                options[String(a.dropFirst(2))] = args[i + 1]
                i += 1
            } else if kind == nil { kind = a } else { return usage("unexpected argument \(a)") }
            i += 1
        }
        guard let kind, Reports.Kind(rawValue: kind) != nil else { return usage("KIND is required") }
        guard let tenant = options["tenant"] else { return usage("--tenant is required") }
        var components = URLComponents(string: options["url"]! + "/reports/" + kind)!
        components.queryItems = [URLQueryItem(name: "tenant", value: tenant)]
            + ["from", "to"].compactMap { k in options[k].map { URLQueryItem(name: k, value: $0) } }
            + (csv ? [URLQueryItem(name: "format", value: "csv")] : [])
        do {
            var request = URLRequest(url: components.url!)
            if let token = options["token"] ?? ProcessInfo.processInfo.environment["CC_ACCESS_TOKEN"] {
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            FileHandle.standardOutput.write(data)
            if status != 200 {
                FileHandle.standardError.write(Data("report-service: HTTP \(status)\n".utf8))
                return 1
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("report-service: cannot reach \(options["url"]!): \(error.localizedDescription)\n".utf8))
            return 1
        }
    }

    static func usage(_ problem: String) -> Int32 {
        FileHandle.standardError.write(Data("""
            report-service report: \(problem)
            usage: report-service report callcenter|agent|outbound|charges|channels --tenant T [--from ISO] [--to ISO] [--csv] [--url URL] [--token JWT]
            (the token may also come from CC_ACCESS_TOKEN; CC_REPORT_URL sets the default URL)

            """.utf8))
        return 2
    }
}
