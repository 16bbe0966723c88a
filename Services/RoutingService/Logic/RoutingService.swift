/// The routing-service's own logic lives in this module; `main` only wires it to the runtime.
public enum RoutingServiceInfo {
    public static let name = "routing-service"
    public static let defaultHTTPPort = 8082
}
