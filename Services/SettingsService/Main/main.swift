import SettingsService
import ServiceRuntime

await ServiceMain.run(serviceName: "settings-service", defaultHTTPPort: 8081)
