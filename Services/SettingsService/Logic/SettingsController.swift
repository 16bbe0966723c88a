import CallCenterDomain
import Hummingbird
import ServiceRuntime

/// settings-service's HTTP views:
///   GET /api/accounts?tenant=T                     accounts with their current device (numbers masked)
///   GET /api/audit?tenant=T[&account=A][&limit=N]  the audit trail, newest first (S5)
public struct SettingsController<Registries: TenantStateReader>: Sendable where Registries.State == SettingsRegistry {
    let registries: Registries

    public init(registries: Registries) { self.registries = registries }

    public func addRoutes(to routes: HTTPRoutes) {
        routes.guarded.get("api/accounts") { request, context -> Response in
            let (_, registry) = try context.tenantState(of: request, in: registries)
            return JSONResponse.ok(SettingsViews.accounts(registry))
        }
        routes.guarded.get("api/audit") { request, context -> Response in
            let q = request.uri.queryParameters
            let (_, registry) = try context.tenantState(of: request, in: registries)
            let limit: Int
            if let text = q["limit"] {
                guard let n = Int(String(text)) else { throw HTTPRefusal.badRequest("limit must be a whole number") }
                limit = min(max(n, 1), 1_000)
            } else {
                limit = 100
            }
            return JSONResponse.ok(SettingsViews.audit(registry, accountID: q["account"].map(String.init), limit: limit))
        }
    }
}
