/// The settings-service's own logic lives in this module; `main` only wires it to the runtime.
public enum SettingsServiceInfo {
    public static let name = "settings-service"
    public static let defaultHTTPPort = 8081
}
