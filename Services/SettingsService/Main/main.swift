import Hummingbird
import ServiceRuntime
import SettingsService

// GET /api/accounts?tenant=T          accounts with their current device (numbers masked)
// GET /api/audit?tenant=T[&account=A][&limit=N]   the audit trail, newest first (S5)
await ServiceMain.run(serviceName: "settings-service", defaultHTTPPort: 8081, processor: SettingsProcessor()) { loop in
    { router in
        router.get("api/accounts") { request, _ -> Response in
            guard let tenant = request.uri.queryParameters["tenant"].map(String.init) else {
                return JSONResponse.error(.badRequest, "tenant is required")
            }
            guard let registry = loop.state(of: tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            return JSONResponse.ok(SettingsViews.accounts(registry))
        }
        router.get("api/audit") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard let tenant = q["tenant"].map(String.init) else { return JSONResponse.error(.badRequest, "tenant is required") }
            guard let registry = loop.state(of: tenant) else { return JSONResponse.error(.notFound, "unknown tenant") }
            let limit = q["limit"].flatMap { Int(String($0)) }.map { min(max($0, 1), 1_000) } ?? 100
            return JSONResponse.ok(SettingsViews.audit(registry, accountID: q["account"].map(String.init), limit: limit))
        }
    }
}
