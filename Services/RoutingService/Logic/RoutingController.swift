import CallCenterDomain
import Hummingbird
import ServiceRuntime

/// routing-service's HTTP views:
///   GET /api/channels?tenant=T   channels in use against the contract limit, the live calls and the open agent legs
///   GET /api/agents?tenant=T     agents as the ACD sees them: device kind, presence, activity, persistent leg
public struct RoutingController<States: TenantStateReader>: Sendable where States.State == RoutingState {
    let states: States

    public init(states: States) { self.states = states }

    struct ChannelsView: Encodable {
        var inUse: Int
        var limit: Int
        var calls: [String: Int]
        /// Each open persistent leg (F12) with its agent; each holds one of `inUse`.
        var agentLegs: [String: String]
        var queued: Int
    }

    struct AgentView: Encodable {
        var accountId: String
        var device: String
        var presence: String?
        var activity: String?
        /// F12: the agent's open persistent leg, and whether it is connected.
        var legId: String?
        var legConnected: Bool?
    }

    public func addRoutes(to routes: HTTPRoutes) {
        routes.guarded.get("api/channels") { request, context -> Response in
            let (_, state) = try context.tenantState(of: request, in: states)
            return JSONResponse.ok(ChannelsView(
                inUse: state.ledger.inUse, limit: state.ledger.limit, calls: state.ledger.legs,
                agentLegs: Dictionary(uniqueKeysWithValues: state.agentLegs.values.map { ($0.id, $0.accountID) }),
                queued: state.calls.values.filter { $0.phase == .queued }.count))
        }
        routes.guarded.get("api/agents") { request, context -> Response in
            let (_, state) = try context.tenantState(of: request, in: states)
            return JSONResponse.ok(state.accounts.keys.sorted().map { id in
                AgentView(accountId: id, device: state.device(of: id).kind.rawValue, presence: state.agents[id]?.presence.rawValue,
                          activity: state.agents[id].map { "\($0.activity)" }, legId: state.agentLegs[id]?.id,
                          legConnected: state.agentLegs[id]?.isConnected)
            })
        }
    }
}
