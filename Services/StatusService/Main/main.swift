import EventContract
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import ServiceRuntime
import StatusService

// GET /                       the realtime monitor page (?tenant=T)
// GET /api/monitor?tenant=T   its data as JSON
// GET /events?tenant=T        the live stream (Server-Sent Events, event "monitor" with the same JSON)
await ServiceMain.run(serviceName: "status-service", defaultHTTPPort: 8083, processor: StatusProcessor()) { loop in
    @Sendable func view(_ tenant: String) -> MonitorView? {
        loop.state(of: tenant).map { MonitorView(tenant: tenant, state: $0, format: RFC3339.format) }
    }
    return { router in
        router.get("/") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: MonitorPage.html)))
        }
        router.get("api/monitor") { request, _ -> Response in
            guard let tenant = request.uri.queryParameters["tenant"].map(String.init) else {
                return JSONResponse.error(.badRequest, "tenant is required")
            }
            guard let v = view(tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            return JSONResponse.ok(v)
        }
        router.get("events") { request, _ -> Response in
            guard let tenant = request.uri.queryParameters["tenant"].map(String.init) else {
                return JSONResponse.error(.badRequest, "tenant is required")
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                            body: .init { writer in
                // Sends the monitor's data whenever it changes (checked every 200 ms), and a comment as keep-alive.
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                var last: MonitorView?
                var quiet = 0
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    let current = view(tenant)
                    if let current, current != last {
                        let json = String(decoding: try encoder.encode(current), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "event: monitor\ndata: \(json)\n\n"))
                        last = current
                        quiet = 0
                    } else {
                        quiet += 1
                        if quiet % 75 == 0 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                try await writer.finish(nil)
            })
        }
    }
}
