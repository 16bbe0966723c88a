import CallCenterDomain
import Hummingbird
import RoutingService
import ServiceRuntime

// GET /api/channels?tenant=T   channels in use against the contract limit, the live calls and the open agent legs
// GET /api/agents?tenant=T     agents as the ACD sees them: device kind, presence, activity, persistent leg
await ServiceMain.run(serviceName: "routing-service", defaultHTTPPort: 8082, processor: RoutingProcessor()) { loop in
    { routes in
        routes.guarded.get("api/channels") { request, context -> Response in
            let tenant = try context.tenant(of: request)
            guard let state = loop.state(of: tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            // agentLegs: each open persistent leg (F12) with its agent; each holds one of `inUse`.
            struct View: Encodable { var inUse: Int; var limit: Int; var calls: [String: Int]; var agentLegs: [String: String]; var queued: Int }
            return JSONResponse.ok(View(inUse: state.ledger.inUse, limit: state.ledger.limit, calls: state.ledger.legs,
                                        agentLegs: Dictionary(uniqueKeysWithValues: state.agentLegs.values.map { ($0.id, $0.accountID) }),
                                        queued: state.calls.values.filter { $0.phase == .queued }.count))
        }
        routes.guarded.get("api/agents") { request, context -> Response in
            let tenant = try context.tenant(of: request)
            guard let state = loop.state(of: tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            struct Agent: Encodable {
                var accountId: String; var device: String; var presence: String?; var activity: String?
                /// F12: the agent's persistent leg, if one is open, and whether it is connected.
                var legId: String?; var legConnected: Bool?
            }
            let agents = state.accounts.keys.sorted().map { id in
                Agent(accountId: id, device: state.device(of: id).kind.rawValue, presence: state.agents[id]?.presence.rawValue,
                      activity: state.agents[id].map { "\($0.activity)" }, legId: state.agentLegs[id]?.id,
                      legConnected: state.agentLegs[id]?.isConnected)
            }
            return JSONResponse.ok(agents)
        }
    }
}
