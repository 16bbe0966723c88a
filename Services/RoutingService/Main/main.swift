import RoutingService
import ServiceRuntime

await ServiceMain.run(serviceName: "routing-service", defaultHTTPPort: 8082, processor: RoutingProcessor()) { loop in
    { RoutingController(states: loop).addRoutes(to: $0) }
}
