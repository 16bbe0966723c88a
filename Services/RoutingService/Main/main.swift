import CallCenterDomain
import Hummingbird
import RoutingService
import ServiceRuntime

// GET /api/channels?tenant=T   channels in use against the contract limit, and the live calls
// GET /api/agents?tenant=T     agents as the ACD sees them: device kind, presence, activity
await ServiceMain.run(serviceName: "routing-service", defaultHTTPPort: 8082, processor: RoutingProcessor()) { loop in
    { router in
        router.get("api/channels") { request, _ -> Response in
            guard let tenant = request.uri.queryParameters["tenant"].map(String.init) else {
                return JSONResponse.error(.badRequest, "tenant is required")
            }
            guard let state = loop.state(of: tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            struct View: Encodable { var inUse: Int; var limit: Int; var calls: [String: Int]; var queued: Int }
            return JSONResponse.ok(View(inUse: state.ledger.inUse, limit: state.ledger.limit, calls: state.ledger.legs,
                                        queued: state.calls.values.filter { $0.phase == .queued }.count))
        }
        router.get("api/agents") { request, _ -> Response in
            guard let tenant = request.uri.queryParameters["tenant"].map(String.init) else {
                return JSONResponse.error(.badRequest, "tenant is required")
            }
            guard let state = loop.state(of: tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            struct Agent: Encodable { var accountId: String; var device: String; var presence: String?; var activity: String? }
            let agents = state.accounts.keys.sorted().map { id in
                Agent(accountId: id, device: state.device(of: id).kind.rawValue, presence: state.agents[id]?.presence.rawValue,
                      activity: state.agents[id].map { "\($0.activity)" })
            }
            return JSONResponse.ok(agents)
        }
    }
}
