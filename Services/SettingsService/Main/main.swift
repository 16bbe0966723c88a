import ServiceRuntime
import SettingsService

await ServiceMain.run(.settings, processor: SettingsProcessor()) { loop in
    { SettingsController(registries: loop).addRoutes(to: $0) }
}
