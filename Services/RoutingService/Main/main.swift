import RoutingService
import ServiceRuntime

await ServiceMain.run(serviceName: "routing-service", defaultHTTPPort: 8082)
