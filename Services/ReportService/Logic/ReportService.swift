/// The report-service's own logic lives in this module; `main` only wires it to the runtime.
public enum ReportServiceInfo {
    public static let name = "report-service"
    public static let defaultHTTPPort = 8084
}
