import Hummingbird
import Logging
import NIOCore

/// Builds the service's HTTP application: `/healthz`, `/readyz`, `/metrics`, and
/// whatever routes the service adds (pages, APIs).
public enum HTTPServer {
    public typealias Routes = @Sendable (Router<BasicRequestContext>) -> Void

    public static func makeApplication(
        configuration: ServiceConfiguration, health: HealthState, metrics: ServiceMetrics, logger: Logger,
        routes: Routes = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
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
        routes(router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort),
                                 serverName: configuration.serviceName),
            logger: logger)
    }
}
