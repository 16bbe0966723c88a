import StatusService
import ServiceRuntime

await ServiceMain.run(serviceName: "status-service", defaultHTTPPort: 8083)
