import ServiceRuntime
import SettingsService

await ServiceMain.run(serviceName: "settings-service", defaultHTTPPort: 8081, processor: SettingsProcessor()) { loop in
    { SettingsController(registries: loop).addRoutes(to: $0) }
}
