import EventContract
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import ServiceRuntime
import StatusService

// GET /                       the realtime monitor page (open: it holds no data; the token comes in its URL fragment)
// GET /monitor.js, /monitor.css   its script and style (open)
// GET /api/monitor[?tenant=T] its data as JSON
// GET /events[?tenant=T]      the live stream (Server-Sent Events, event "monitor" with the same JSON)
let environment = ProcessInfo.processInfo.environment
// Live streams: per tenant and overall (CC_SSE_MAX_PER_TENANT, CC_SSE_MAX_TOTAL).
let streamsPerTenant = environment["CC_SSE_MAX_PER_TENANT"].flatMap(Int.init).map { min(max($0, 1), 10_000) } ?? 20
let streamsOverall = environment["CC_SSE_MAX_TOTAL"].flatMap(Int.init).map { min(max($0, 1), 100_000) } ?? 200

await ServiceMain.run(serviceName: "status-service", defaultHTTPPort: 8083, processor: StatusProcessor()) { loop in
    @Sendable func view(_ tenant: String) -> MonitorView? {
        loop.state(of: tenant).map { MonitorView(tenant: tenant, state: $0, format: RFC3339.format) }
    }
    let streams = MonitorStreams(maximumPerTenant: streamsPerTenant, maximumOverall: streamsOverall) { tenant in
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return view(tenant).flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }
    @Sendable func asset(_ body: String, _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
    return { routes in
        routes.open.get("/") { _, _ in asset(MonitorPage.html, "text/html; charset=utf-8") }
        routes.open.get("monitor.js") { _, _ in asset(MonitorPage.script, "text/javascript; charset=utf-8") }
        routes.open.get("monitor.css") { _, _ in asset(MonitorPage.style, "text/css; charset=utf-8") }
        routes.guarded.get("api/monitor") { request, context -> Response in
            let tenant = try context.tenant(of: request)
            guard let v = view(tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            return JSONResponse.ok(v)
        }
        routes.guarded.get("events") { request, context -> Response in
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
}
