import RoutingService
import ServiceRuntime

await ServiceMain.run(.routing, processor: RoutingProcessor()) { loop in
    { RoutingController(states: loop).addRoutes(to: $0) }
}
