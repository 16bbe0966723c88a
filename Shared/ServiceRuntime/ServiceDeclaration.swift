/// One service of the deployment: its name (also its consumer group and changelog), its default HTTP port, the
/// topics it reads and the services whose outputs it waits for. The runtime, the processors, ccctl and the tests
/// read these; nothing else names a service's inputs.
public struct ServiceDeclaration: Sendable, Hashable {
    public let name: String
    public let defaultHTTPPort: Int
    public let inputs: [ContractTopic]
    public let upstream: [UpstreamService]

    public init(name: String, defaultHTTPPort: Int, inputs: [ContractTopic], upstream: [ServiceDeclaration] = []) {
        self.name = name
        self.defaultHTTPPort = defaultHTTPPort
        self.inputs = inputs
        self.upstream = upstream.map { UpstreamService($0.name, inputs: $0.inputs) }
    }

    /// Its HTTP base URL on this host with the default port.
    public var defaultLocalURL: String { "http://127.0.0.1:\(defaultHTTPPort)" }

    public static let settings = ServiceDeclaration(name: "settings-service", defaultHTTPPort: 8081,
                                                    inputs: [.config, .settingsCommands])
    /// Configuration and settings events come from other systems at their own pace: routing waits for nobody.
    public static let routing = ServiceDeclaration(name: "routing-service", defaultHTTPPort: 8082,
                                                   inputs: [.config, .settingsEvents, .telephonyEvents])
    /// Settings events come from settings-service, decisions, commands and usage from routing-service.
    public static let status = ServiceDeclaration(
        name: "status-service", defaultHTTPPort: 8083,
        inputs: [.config, .settingsEvents, .telephonyEvents, .routingDecisions, .callCommands, .usage],
        upstream: [.settings, .routing])
    /// Decisions, commands (agent legs opened and closed) and usage come from routing-service.
    public static let report = ServiceDeclaration(
        name: "report-service", defaultHTTPPort: 8084,
        inputs: [.config, .telephonyEvents, .routingDecisions, .callCommands, .usage], upstream: [.routing])

    /// The four services, in the order they start.
    public static let all: [ServiceDeclaration] = [.settings, .routing, .status, .report]
}
