import Hummingbird
import Logging
import NIOCore

/// Builds the service's HTTP application: the open probes (`/healthz`, `/readyz`, `/metrics`), and the routes the
/// service adds, open ones (pages without data) and guarded ones (data, behind `AccessMiddleware`).
public enum HTTPServer {
    public typealias Routes = @Sendable (HTTPRoutes) -> Void

    public static func makeApplication(
        configuration: ServiceConfiguration, access: AccessVerifier?, health: HealthState, metrics: ServiceMetrics,
        logger: Logger, routes: Routes = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(access: access, health: health, metrics: metrics, routes: routes),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort),
                                 serverName: configuration.serviceName),
            logger: logger)
    }

    /// The router of `makeApplication`: the probes, the security headers, the access check of the guarded routes and
    /// `routes`; tests drive it in-process.
    public static func makeRouter(access: AccessVerifier?, health: HealthState, metrics: ServiceMetrics,
                                  routes: Routes = { _ in }) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ReadOnlyMethodsMiddleware())
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let ready = health.isReady
            metrics.ready.set(to: ready ? 1.0 : 0.0)
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: (ready ? "ready" : "not ready: \(health.publicReason)") + "\n")))
        }
        router.get("metrics") { _, _ -> Response in
            metrics.ready.set(to: health.isReady ? 1.0 : 0.0)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        routes(HTTPRoutes(open: router, guarded: router.group().add(middleware: AccessMiddleware(verifier: access))))
        return router
    }
}

/// Where a service adds its routes.
public struct HTTPRoutes {
    /// Routes anyone may call: static pages and their assets, which hold no data.
    public let open: Router<ServiceRequestContext>
    /// Routes that need a verified token of a role that may read data; `context.tenant(of:)` gives the tenant.
    public let guarded: RouterGroup<ServiceRequestContext>
}
