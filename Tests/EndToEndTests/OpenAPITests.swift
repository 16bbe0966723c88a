import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import TestSupport
import Testing

/// `docs/openapi.yaml` against the four running services: every route answers as documented, and schemathesis (a
/// property-based fuzzer of the API, installed by `scripts/bootstrap`) finds no server error, no undocumented status
/// and no response that breaks its schema.
@Suite("OpenAPI", .serialized)
struct OpenAPITests {
    static let root = TestBroker.projectRoot
    static let python = root.appendingPathComponent(".venv/bin/python")
    static let document = root.appendingPathComponent("docs/openapi.yaml").path
    static let tenant = "tenant-oa"

    struct Route: Decodable {
        var path: String
        var tag: String
        var status200Types: [String]
        var open: Bool
    }

    @Test("docs/openapi.yaml is a valid OpenAPI 3.1 document")
    func valid() async throws {
        let (status, output) = try await runProgram(Self.python, [Self.root.appendingPathComponent("scripts/openapi-check.py").path,
                                                                  "validate", Self.document])
        #expect(status == 0 && output.contains("valid OpenAPI 3.1.0"), "\(output)")
    }

    /// The tenant with a call center, accounts, a call answered on the softphone and then a device change, so that every
    /// data route has data.
    /// - Parameter routingProcessed: waits until routing-service has processed the configuration and the presence: a
    ///   service that follows routing (report-service) does not wait for a routing group that has committed nothing
    ///   yet, so the call comes only then.
    static func populate(_ h: ServiceHarness, routingProcessed: () async throws -> Void) async throws {
        try await h.configureSupportTenant(tenant, wrapUpSeconds: 0)
        // A second after the configuration (its events are at t0): the order across topics is by event time.
        let t0 = TestEvents.t0.adding(seconds: 1)
        try await h.publish("cc.telephony.events", tenant: tenant, [
            TelephonyEvents.PresenceChanged(accountId: "agent1", presence: .available, at: EventTime(t0))], time: t0)
        try await routingProcessed()
        try await h.publish("cc.telephony.events", tenant: tenant, [
            TelephonyEvents.CallOffered(callId: "oa-call", callCenterId: "cc1", callerNumber: "+81311112222", dialedNumber: "+81312345678",
                                        at: EventTime(t0.adding(seconds: 1)))], time: t0.adding(seconds: 1))
        try await h.publish("cc.telephony.events", tenant: tenant, [
            TelephonyEvents.AgentAnswered(callId: "oa-call", accountId: "agent1", at: EventTime(t0.adding(seconds: 3)))], time: t0.adding(seconds: 3))
        try await h.publish("cc.telephony.events", tenant: tenant, [
            TelephonyEvents.CallEnded(callId: "oa-call", at: EventTime(t0.adding(seconds: 63)))], time: t0.adding(seconds: 63))
        try await h.publish("cc.settings.commands", tenant: tenant, [
            SettingsEvents.ChangeRequested(requestId: "oa-1", actorAccountId: "admin", screen: .account, targetAccountId: "agent1",
                                           device: ContractDevice(kind: .externalNumber, number: "090-1234-5678"))],
                            time: TestEvents.t0.adding(seconds: 120))
    }

    @Test("every documented route answers 200 with its documented content type, and schemathesis finds no 5xx, no undocumented status and no response off its schema")
    func servicesAsDocumented() async throws {
        let h = try ServiceHarness()
        var ports: [String: Int] = [:]
        for name in ["settings-service", "routing-service", "status-service", "report-service"] {
            ports[name] = try await h.start(name).httpPort
        }
        let headers = try await TestAuthority.shared.header(tenant: Self.tenant)
        func get(_ port: Int, _ path: String) async -> (status: Int, headers: [String: String], body: String)? {
            await HTTP.getWithHeaders("http://127.0.0.1:\(port)\(path)", headers: headers, authorized: false)
        }
        try await Self.populate(h) {
            try await eventually(timeout: .seconds(60), "routing-service has the agent available") {
                await get(ports["routing-service"]!, "/api/agents?tenant=\(Self.tenant)")?.body.contains("\"available\"") == true
            }
            // And has committed what it consumed (its group's offsets are what report-service follows).
            let reader = try KafkaConsumer(configuration: ConsumerConfiguration(common: KafkaConfiguration(bootstrapServers: h.brokers),
                                                                                groupID: h.prefix + "routing-service"), topics: [])
            let inputs = (0..<6).map { TopicPartition(topic: h.topic("cc.telephony.events"), partition: Int32($0)) }
            try await eventually(timeout: .seconds(30), "routing-service committed its offsets") {
                ((try? await reader.committed(inputs)) ?? [:]).values.contains { $0 != nil }
            }
            await reader.close()
        }
        var seen: [String] = []
        try await eventually(timeout: .seconds(60), "every service holds the tenant, with the call reported: \(seen)") {
            let report = await get(ports["report-service"]!, "/reports/callcenter?tenant=\(Self.tenant)")
            let audit = await get(ports["settings-service"]!, "/api/audit?tenant=\(Self.tenant)")
            let channels = await get(ports["routing-service"]!, "/api/channels?tenant=\(Self.tenant)")
            let monitor = await get(ports["status-service"]!, "/api/monitor?tenant=\(Self.tenant)")
            seen = [report?.body ?? "-", audit?.body ?? "-", "\(channels?.status ?? -1)", "\(monitor?.status ?? -1)"]
            return report?.body.contains("\"answered\" : 1") == true && audit?.body.contains("oa-1") == true
                && channels?.status == 200 && monitor?.status == 200
        }

        let (status, listing) = try await runProgram(Self.python, [Self.root.appendingPathComponent("scripts/openapi-check.py").path,
                                                                   "routes", Self.document])
        try #require(status == 0, "\(listing)")
        let routes = try JSONDecoder().decode([Route].self, from: Data(listing.utf8))
        #expect(routes.count == 15)
        for route in routes where route.path != "/events" {
            let services = route.tag == "probes" ? Array(ports.keys) : [route.tag]
            for service in services {
                let path = route.path.replacingOccurrences(of: "{kind}", with: "callcenter") + (route.open ? "" : "?tenant=\(Self.tenant)")
                let response = await get(ports[service]!, path)
                #expect(response?.status == 200, "\(service) \(path): \(response?.status ?? -1)")
                let type = response?.headers.first { $0.key.lowercased() == "content-type" }?.value ?? ""
                #expect(route.status200Types.contains { type.hasPrefix($0) }, "\(service) \(path): \(type)")
            }
        }

        // The fuzzer, one service at a time (its routes and the probes); the live stream never ends, so it is left out.
        let token = try #require(headers["Authorization"])
        for (service, port) in ports.sorted(by: { $0.key < $1.key }) {
            let (status, output) = try await runProgram(Self.root.appendingPathComponent(".venv/bin/schemathesis"), [
                "run", Self.document, "--url", "http://127.0.0.1:\(port)", "-H", "Authorization: \(token)",
                "--include-tag", service, "--include-tag", "probes", "--exclude-path", "/events",
                // Every check but positive_data_acceptance: a range with from after to, or longer than the service's
                // limit, is a valid date-time pair that is rightly refused (400, documented).
                "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                "--max-examples", "25", "--seed", "20261207", "--no-color",
            ], environment: ["SCHEMATHESIS_HOOKS": ""])
            let summary = output.split(separator: "\n").filter { $0.contains("generated") || $0.contains("passed") || $0.contains("failures") }
            print("schemathesis \(service): \(summary.joined(separator: " | "))")
            #expect(status == 0, "schemathesis against \(service):\n\(output.suffix(4_000))")
        }
        await h.stopAll()
    }
}
