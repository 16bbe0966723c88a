import ReportService
import ServiceRuntime

await ServiceMain.run(serviceName: "report-service", defaultHTTPPort: 8084)
