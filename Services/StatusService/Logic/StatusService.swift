/// The status-service's own logic lives in this module; `main` only wires it to the runtime.
public enum StatusServiceInfo {
    public static let name = "status-service"
    public static let defaultHTTPPort = 8083
}
