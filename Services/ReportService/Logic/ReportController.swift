import CallCenterDomain
import FastJSON
import Foundation
import Hummingbird
import NIOCore
import ServiceRuntime

/// report-service's HTTP views:
///   GET /reports/{kind}?tenant=T&from=ISO&to=ISO   (JSON; CSV with Accept: text/csv or &format=csv)
///   GET /charts/channels.svg?tenant=T&from=..&to=..
///   GET /charts/charges.svg?tenant=T&from=..&to=..
public struct ReportController<States: TenantStateReader>: Sendable where States.State == ReportState {
    let states: States

    public init(states: States) { self.states = states }

    /// A tenant's records for a report over [from, to): those in memory and the archived calls and legs of the range.
    func records(_ tenant: String, _ range: (from: Timestamp, to: Timestamp)) throws -> ReportState {
        let state = states.state(of: tenant) ?? ReportState()
        let (from, to) = (ReportArchive.rangeKey(range.from), ReportArchive.rangeKey(range.to))
        func archived(_ field: String, from: String, to: String, newestFirst: Bool = false, limit: Int = -1) throws
            -> [(key: String, value: Data)] {
            try states.archived(tenant: tenant, field: field, from: from, to: to, newestFirst: newestFirst, limit: limit)
        }
        let calls = try archived(ReportArchive.callsField, from: from, to: to).map(\.value)
        // The usage points of the range, and the last one before it (the usage in force when the range starts).
        let usage = try archived(ReportArchive.usageField, from: "", to: from, newestFirst: true, limit: 1)
            + archived(ReportArchive.usageField, from: from, to: to)
        let legs = try archived(ReportArchive.legsField, from: from, to: to).map(\.value)
        return ReportArchive.including(calls: calls, usage: usage, legs: legs, in: state)
    }

    /// A report's default end: a minute after the tenant's latest data.
    func latest(_ tenant: String) -> Timestamp? { states.state(of: tenant)?.latestEventTime?.adding(seconds: 60) }

    static func svg(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "image/svg+xml"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    public func addRoutes(to routes: HTTPRoutes) {
        routes.guarded.get("reports/:kind") { request, context -> Response in
            guard let kind = context.parameters.get("kind").flatMap(Reports.Kind.init(rawValue:)) else {
                throw HTTPRefusal(.notFound, "kind must be one of \(Reports.Kind.allCases.map(\.rawValue))")
            }
            let tenant = try context.tenant(of: request)
            if let format = request.uri.queryParameters["format"], format != "json", format != "csv" {
                throw HTTPRefusal.badRequest("format must be json or csv")
            }
            let range = try ReportRange.of(request, defaultTo: latest(tenant))
            return try report(kind, state: records(tenant, range), range: range, request: request)
        }
        routes.guarded.get("charts/charges.svg") { request, context -> Response in
            let tenant = try context.tenant(of: request)
            let range = try ReportRange.of(request, defaultTo: latest(tenant))
            return Self.svg(ReportRendering.chargesSVG(try records(tenant, range), from: range.from, to: range.to))
        }
        routes.guarded.get("charts/channels.svg") { request, context -> Response in
            let tenant = try context.tenant(of: request)
            // By default from the first point (archived or not) to a minute after the last (always in memory).
            let oldest = try states.archived(tenant: tenant, field: ReportArchive.usageField, from: "", to: "~", newestFirst: false,
                                             limit: 1).first
                .flatMap { try? JSON.decode(ChannelUsageTimeline.Point.self, from: $0.value) }
            let timeline = (states.state(of: tenant) ?? ReportState()).usageTimeline
            let range = try ReportRange.of(request, defaultFrom: oldest?.at ?? timeline.points.first?.at,
                                           defaultTo: timeline.points.last?.at.adding(seconds: 60))
            return Self.svg(ReportRendering.channelsSVG(try records(tenant, range), from: range.from, to: range.to))
        }
    }

    private func report(_ kind: Reports.Kind, state: ReportState, range: (from: Timestamp, to: Timestamp),
                        request: Request) -> Response {
        let wantsCSV = request.uri.queryParameters["format"] == "csv" || request.headers[.accept]?.contains("text/csv") == true
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
}
