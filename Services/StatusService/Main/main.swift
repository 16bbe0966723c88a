import Foundation
import ServiceRuntime
import StatusService

let environment = ProcessInfo.processInfo.environment
// Live streams: per tenant and overall (CC_SSE_MAX_PER_TENANT, CC_SSE_MAX_TOTAL).
let streamsPerTenant = environment["CC_SSE_MAX_PER_TENANT"].flatMap(Int.init).map { min(max($0, 1), 10_000) } ?? 20
let streamsOverall = environment["CC_SSE_MAX_TOTAL"].flatMap(Int.init).map { min(max($0, 1), 100_000) } ?? 200

await ServiceMain.run(.status, processor: StatusProcessor()) { loop in
    let controller = StatusController(states: loop, streamsPerTenant: streamsPerTenant, streamsOverall: streamsOverall)
    return { controller.addRoutes(to: $0) }
}
