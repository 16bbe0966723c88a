import CallCenterDomain
import EventContract
import Foundation
import Hummingbird
import HummingbirdTesting
import ReportService
import RoutingService
import ServiceRuntime
import SettingsService
import StatusService
import TestSupport
import Testing

/// Fixed tenant states, as the event loop would publish them.
struct FixedStates<State: Sendable>: TenantStateReader {
    var states: [TenantID: State]
    func state(of tenant: TenantID) -> State? { states[tenant] }
    func archived(tenant: TenantID, field: String, from: String, to: String, newestFirst: Bool,
                  limit: Int) throws -> [(key: String, value: Data)] { [] }
}

/// Each service's HTTP views in-process (HummingbirdTesting), with the real router, access check and controllers:
/// what they answer, to whom.
@Suite("HTTP views in-process")
struct ControllerTests {
    static func router(_ routes: @escaping HTTPServer.Routes) async throws -> Router<ServiceRequestContext> {
        let verifier = try await AccessVerifier.load(AccessConfiguration(jwksFile: TestAuthority.shared.jwksFile))
        return HTTPServer.makeRouter(access: verifier, health: HealthState(), metrics: ServiceMetrics(serviceName: "test"),
                                     routes: routes)
    }

    static func bearer(_ tenant: String, role: Caller.Role = .supervisor) async throws -> HTTPFields {
        [.authorization: "Bearer " + (try await TestAuthority.shared.token(tenant: tenant, role: role.rawValue))]
    }

    static func registry() -> SettingsRegistry {
        var r = SettingsRegistry(tenantID: "tenant-a")
        r.configure(Tenant(id: "tenant-a", concurrentCallLimit: 10, platformVersion: PlatformVersion("3.2.0")!,
                           callbackDialingOption: true, allowInternationalForwarding: false, rates: ScriptedDay.rates))
        r.configure(Account(id: "admin", tenantID: "tenant-a", name: "Admin", role: .systemAdministrator, extension: "200"))
        r.configure(Account(id: "a1", tenantID: "tenant-a", name: "Aoi", role: .agent, extension: "201"))
        for (i, number) in ["090-1234-5678", "080-1111-2222"].enumerated() {
            _ = r.handle(DeviceChangeRequest(requestID: "r\(i)", actorAccountID: "admin", screen: .account, targetAccountID: "a1",
                                             device: DeviceRequest(kind: .externalNumber, number: number, persistentConnection: i == 1)),
                         at: ScriptedDay.t0.adding(seconds: i))
        }
        return r
    }

    @Test("S5 F12 settings-service: accounts with masked numbers and the persistent connection, the audit newest first; only the token's tenant; 404 for a tenant it does not hold; 401 without a token; 403 for an agent")
    func settingsViews() async throws {
        let controller = SettingsController(registries: FixedStates(states: ["tenant-a": Self.registry()]))
        let app = Application(router: try await Self.router { controller.addRoutes(to: $0) })
        let supervisor = try await Self.bearer("tenant-a")
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/accounts", method: .get, headers: supervisor) { response in
                let body = String(buffer: response.body)
                #expect(response.status == .ok && body.contains("+81********22") && !body.contains("8011112222"), "\(body)")
                #expect(body.contains(#""persistentConnection" : true"#))
            }
            try await client.execute(uri: "/api/audit?account=a1&limit=1", method: .get, headers: supervisor) { response in
                let audit = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]]
                #expect(audit?.count == 1 && audit?.first?["requestId"] as? String == "r1", "newest first, limited")
            }
            try await client.execute(uri: "/api/accounts?tenant=tenant-b", method: .get, headers: supervisor) { response in
                #expect(response.status == .forbidden, "the tenant comes from the token")
            }
            try await client.execute(uri: "/api/accounts", method: .get, headers: try await Self.bearer("tenant-z")) { response in
                #expect(response.status == .notFound && String(buffer: response.body).contains("unknown tenant"))
            }
            try await client.execute(uri: "/api/accounts", method: .get) { response in
                #expect(response.status == .unauthorized && response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            try await client.execute(uri: "/api/audit", method: .get, headers: try await Self.bearer("tenant-a", role: .agent)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok, "probes are open") }
        }
    }

    @Test("F3 F12 routing-service: channels in use with the calls and the open agent legs; agents with their leg")
    func routingViews() async throws {
        var r = RoutingState(tenantID: "tenant-a")
        r.configure(Tenant(id: "tenant-a", concurrentCallLimit: 4, platformVersion: PlatformVersion("3.2.0")!,
                           callbackDialingOption: true, allowInternationalForwarding: false, rates: ScriptedDay.rates))
        r.configure(Account(id: "p1", tenantID: "tenant-a", name: "P", role: .agent, extension: "201"))
        _ = r.configure(CallCenter(id: "cc1", tenantID: "tenant-a", name: "Support", externalNumber: "+81399990000",
                                   noAnswerTimeoutSeconds: 35, wrapUpSeconds: 30, memberAccountIDs: ["p1"]), at: ScriptedDay.t0)
        r.setDevice(.externalNumber(try PhoneNumber.parse("090-1234-5678"), .mobile), for: "p1", persistentConnection: true)
        _ = r.presenceChanged("p1", to: .available, at: ScriptedDay.t0)
        let leg = try #require(r.agentLegs["p1"]?.id)
        _ = r.callOffered("c1", callCenter: "cc1", callerNumber: "+81311112222", at: ScriptedDay.t0)
        let controller = RoutingController(states: FixedStates(states: ["tenant-a": r]))
        let app = Application(router: try await Self.router { controller.addRoutes(to: $0) })
        let supervisor = try await Self.bearer("tenant-a")
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/channels", method: .get, headers: supervisor) { response in
                let body = String(buffer: response.body)
                #expect(body.contains(#""inUse" : 2"#) && body.contains(#""\#(leg)" : "p1""#) && body.contains(#""queued" : 1"#), "\(body)")
            }
            try await client.execute(uri: "/api/agents", method: .get, headers: supervisor) { response in
                let body = String(buffer: response.body)
                #expect(body.contains(#""legId" : "\#(leg)""#) && body.contains(#""legConnected" : false"#), "\(body)")
            }
        }
    }

    @Test("T1 status-service: the monitor page and its assets are open and hold no data; the monitor's data needs a token")
    func statusViews() async throws {
        let controller = StatusController(states: FixedStates(states: ["tenant-a": StatusState(tenantID: "tenant-a")]),
                                          streamsPerTenant: 2, streamsOverall: 4)
        let app = Application(router: try await Self.router { controller.addRoutes(to: $0) })
        try await app.test(.router) { client in
            for path in ["/", "/monitor.js", "/monitor.css"] {
                try await client.execute(uri: path, method: .get) { response in #expect(response.status == .ok, "\(path)") }
            }
            try await client.execute(uri: "/api/monitor", method: .get) { response in #expect(response.status == .unauthorized) }
            try await client.execute(uri: "/api/monitor", method: .get, headers: try await Self.bearer("tenant-a")) { response in
                #expect(response.status == .ok && String(buffer: response.body).contains(#""tenant" : "tenant-a""#))
            }
        }
    }

    @Test("P1 P3 report-service: a report as JSON and CSV, the charges chart as SVG; 404 for an unknown report, 400 for a range that is not RFC 3339, backwards or over 400 days")
    func reportViews() async throws {
        let controller = ReportController(states: FixedStates(states: ["tenant-a": try ReportTests.state()]))
        let app = Application(router: try await Self.router { controller.addRoutes(to: $0) })
        let supervisor = try await Self.bearer("tenant-a")
        let range = "from=\(RFC3339.format(ReportTests.from))&to=\(RFC3339.format(ReportTests.to))"
        try await app.test(.router) { client in
            try await client.execute(uri: "/reports/callcenter?\(range)", method: .get, headers: supervisor) { response in
                #expect(response.status == .ok && String(buffer: response.body).contains(#""offered" : 7"#))
            }
            try await client.execute(uri: "/reports/charges?\(range)&format=csv", method: .get, headers: supervisor) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                #expect(String(buffer: response.body).hasPrefix("accountId,callCenterId,phoneType,calls"))
            }
            try await client.execute(uri: "/charts/charges.svg?\(range)", method: .get, headers: supervisor) { response in
                #expect(response.headers[.contentType] == "image/svg+xml" && String(buffer: response.body).hasPrefix("<svg"))
            }
            try await client.execute(uri: "/reports/nonsense", method: .get, headers: supervisor) { response in
                #expect(response.status == .notFound)
            }
            for bad in ["from=yesterday", "from=2027-01-16T00:00:00Z&to=2027-01-15T00:00:00Z",
                        "from=2025-01-01T00:00:00Z&to=2027-01-15T00:00:00Z"] {
                try await client.execute(uri: "/reports/agent?\(bad)", method: .get, headers: supervisor) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
        }
    }
}
