import Hummingbird
import ServiceRuntime
import SettingsService

// GET /api/accounts?tenant=T          accounts with their current device (numbers masked)
// GET /api/audit?tenant=T[&account=A][&limit=N]   the audit trail, newest first (S5)
await ServiceMain.run(serviceName: "settings-service", defaultHTTPPort: 8081, processor: SettingsProcessor()) { loop in
    { routes in
        routes.guarded.get("api/accounts") { request, context -> Response in
            let tenant = try context.tenant(of: request)
            guard let registry = loop.state(of: tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            return JSONResponse.ok(SettingsViews.accounts(registry))
        }
        routes.guarded.get("api/audit") { request, context -> Response in
            let q = request.uri.queryParameters
            let tenant = try context.tenant(of: request)
            guard let registry = loop.state(of: tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            let limit = q["limit"].flatMap { Int(String($0)) }.map { min(max($0, 1), 1_000) } ?? 100
            return JSONResponse.ok(SettingsViews.audit(registry, accountID: q["account"].map(String.init), limit: limit))
        }
    }
}
