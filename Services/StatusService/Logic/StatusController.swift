import CallCenterDomain
import EventContract
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import ServiceRuntime

/// status-service's HTTP views:
///   GET /                            the realtime monitor page (open: it holds no data; the token comes in its URL fragment)
///   GET /monitor.js, /monitor.css    its script and style (open)
///   GET /api/monitor[?tenant=T]      its data as JSON
///   GET /events[?tenant=T]           the live stream (Server-Sent Events, event "monitor" with the same JSON)
public struct StatusController<States: TenantStateReader>: Sendable where States.State == StatusState {
    let states: States
    let streams: MonitorStreams

    /// - Parameters: streamsPerTenant, streamsOverall: the most live streams open at once.
    public init(states: States, streamsPerTenant: Int, streamsOverall: Int) {
        self.states = states
        streams = MonitorStreams(maximumPerTenant: streamsPerTenant, maximumOverall: streamsOverall) { tenant in
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return Self.view(tenant, states).flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        }
    }

    static func view(_ tenant: String, _ states: States) -> MonitorView? {
        states.state(of: tenant).map { MonitorView(tenant: tenant, state: $0, format: RFC3339.format) }
    }

    static func asset(_ body: String, _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    public func addRoutes(to routes: HTTPRoutes) {
        routes.open.get("/") { _, _ in Self.asset(MonitorPage.html, "text/html; charset=utf-8") }
        routes.open.get("monitor.js") { _, _ in Self.asset(MonitorPage.script, "text/javascript; charset=utf-8") }
        routes.open.get("monitor.css") { _, _ in Self.asset(MonitorPage.style, "text/css; charset=utf-8") }
        routes.guarded.get("api/monitor") { request, context -> Response in
            let tenant = try context.tenant(of: request)
            guard let v = Self.view(tenant, states) else { throw HTTPRefusal(.notFound, "unknown tenant") }
            return JSONResponse.ok(v)
        }
        routes.guarded.get("events") { request, context -> Response in try stream(request, context) }
    }

    private func stream(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let tenant = try context.tenant(of: request)
        let subscription: (id: Int, frames: AsyncStream<MonitorStreams.Frame>)
        do throws(MonitorStreams.Refusal) { subscription = try streams.subscribe(tenant: tenant) } catch {
            switch error {
            case .tenantFull(let limit): throw HTTPRefusal(.tooManyRequests, "this tenant already has \(limit) live streams open")
            case .serviceFull(let limit): throw HTTPRefusal(.serviceUnavailable, "the service already serves \(limit) live streams")
            }
        }
        // The stream ends when the caller's token expires: the page then asks for a new one.
        let expiresAt: Date? = if case .caller(let caller) = context.access { caller.expiresAt } else { nil }
        let streams = streams
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: .init { writer in
            defer { streams.end(subscription.id, of: tenant) }
            try await withGracefulShutdownHandler {
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                for await frame in subscription.frames {
                    if let expiresAt, Date() >= expiresAt { break }
                    try await writer.write(ByteBuffer(string: frame))
                }
                try await writer.finish(nil)
            } onGracefulShutdown: {
                streams.end(subscription.id, of: tenant)
            }
        })
    }
}
