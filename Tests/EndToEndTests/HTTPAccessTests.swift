import Foundation
import TestSupport
import Testing

/// HTTP access as the contract's "HTTP access" section says, tried on every data route of the four running
/// services: who gets 200, who 401 (with a Bearer challenge) and who 403.
@Suite("HTTP access", .serialized)
struct HTTPAccessTests {
    /// Every data route, by service; `tenant-a` is configured everywhere.
    static let routes: [(service: String, path: String)] = [
        ("settings-service", "/api/accounts"), ("settings-service", "/api/audit"),
        ("routing-service", "/api/channels"), ("routing-service", "/api/agents"),
        ("status-service", "/api/monitor"), ("status-service", "/events"),
        ("report-service", "/reports/callcenter"), ("report-service", "/reports/agent"),
        ("report-service", "/reports/outbound"), ("report-service", "/reports/charges"),
        ("report-service", "/reports/channels"), ("report-service", "/charts/charges.svg"),
        ("report-service", "/charts/channels.svg"),
    ]

    struct Case: Sendable {
        let name: String
        let authorization: String?
        let status: Int
    }

    static func cases() async throws -> [Case] {
        let authority = TestAuthority.shared
        func bearer(_ token: String) -> String { "Bearer " + token }
        return [
            Case(name: "no token", authorization: nil, status: 401),
            Case(name: "not a bearer token", authorization: "Basic dXNlcjpwYXNz", status: 401),
            Case(name: "malformed token", authorization: "Bearer not.a.jwt", status: 401),
            Case(name: "signed by an unknown key", authorization: bearer(try await authority.token(tenant: "tenant-a", key: .unknown)), status: 401),
            Case(name: "expired", authorization: bearer(try await authority.token(tenant: "tenant-a", validFor: -600)), status: 401),
            Case(name: "not yet valid", authorization: bearer(try await authority.token(tenant: "tenant-a", notBefore: Date().addingTimeInterval(600))), status: 401),
            Case(name: "wrong audience", authorization: bearer(try await authority.token(tenant: "tenant-a", audience: ["billing"])), status: 401),
            Case(name: "unknown role", authorization: bearer(try await authority.token(tenant: "tenant-a", role: "owner")), status: 401),
            Case(name: "other tenant", authorization: bearer(try await authority.token(tenant: "tenant-b")), status: 403),
            Case(name: "administrator of another tenant", authorization: bearer(try await authority.token(tenant: "tenant-b", role: "systemAdministrator")), status: 403),
            Case(name: "agent role", authorization: bearer(try await authority.token(tenant: "tenant-a", role: "agent")), status: 403),
            Case(name: "supervisor (ES256)", authorization: bearer(try await authority.token(tenant: "tenant-a")), status: 200),
            Case(name: "supervisor (RS256)", authorization: bearer(try await authority.token(tenant: "tenant-a", key: .rs256)), status: 200),
            Case(name: "administrator", authorization: bearer(try await authority.token(tenant: "tenant-a", role: "systemAdministrator")), status: 200),
        ]
    }

    /// The status of one request; the live stream is read only to its head.
    static func status(_ service: ServiceProcess, _ path: String, authorization: String?) async throws -> (Int, [String: String]) {
        let headers = authorization.map { ["Authorization": $0] } ?? [:]
        if path.hasPrefix("/events") {
            let stream = try SSEClient(port: service.httpPort, path: path, headers: headers)
            let code = try stream.status()
            var fields: [String: String] = [:]
            for line in stream.responseHead.split(separator: "\n").dropFirst() {
                if let colon = line.firstIndex(of: ":") {
                    fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return (code, fields)
        }
        let r = try #require(await HTTP.getWithHeaders("http://127.0.0.1:\(service.httpPort)\(path)", headers: headers, authorized: false))
        return (r.status, r.headers)
    }

    @Test("the access matrix: 14 kinds of caller on every data route of the four services (RS256 and ES256), probes open, security headers on every answer")
    func matrix() async throws {
        let h = try ServiceHarness()
        var services: [String: ServiceProcess] = [:]
        for name in ["settings-service", "routing-service", "status-service", "report-service"] { services[name] = try await h.start(name) }
        try await SettingsServiceTests.publishConfiguration(h)
        let supervisor = try await TestAuthority.shared.header(tenant: "tenant-a")
        for (name, path) in Self.routes where path != "/events" {
            try await eventually("\(name) knows tenant-a") {
                await services[name]!.get(path + "?tenant=tenant-a", headers: supervisor)?.status == 200
            }
        }
        let cases = try await Self.cases()
        var checked = 0
        for (name, path) in Self.routes {
            let service = services[name]!
            for c in cases {
                let (code, headers) = try await Self.status(service, path + "?tenant=tenant-a", authorization: c.authorization)
                #expect(code == c.status, "\(name) \(path): \(c.name) answered \(code), expected \(c.status)")
                if c.status == 401 {
                    #expect(headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(name) \(path): \(c.name) has a Bearer challenge")
                }
                #expect(headers["x-content-type-options"] == "nosniff", "\(name) \(path): \(c.name) nosniff")
                #expect(headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true, "\(name) \(path): CSP")
                checked += 1
            }
            // The tenant comes from the token: without a parameter the caller sees their own tenant.
            let (own, _) = try await Self.status(service, path, authorization: supervisor["Authorization"])
            #expect(own == 200, "\(name) \(path) without ?tenant= answers for the token's tenant")
            checked += 1
        }
        print("HTTP access matrix: \(Self.routes.count) routes x \(cases.count + 1) callers = \(checked) checks")
        #expect(checked == Self.routes.count * (cases.count + 1))
        for service in services.values {
            for probe in ["/healthz", "/readyz", "/metrics"] {
                #expect(await service.get(probe, authorized: false)?.status == 200, "\(service.name) \(probe) is open")
            }
        }
        let page = try #require(await HTTP.getWithHeaders("http://127.0.0.1:\(services["status-service"]!.httpPort)/", authorized: false))
        #expect(page.status == 200 && page.body.contains("<html"), "the monitor page itself holds no data and is open")
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(page.headers["x-frame-options"] == "DENY" && page.headers["x-content-type-options"] == "nosniff")
        let refused = try #require(await services["settings-service"]!.get("/api/accounts?tenant=tenant-a", authorized: false))
        #expect(!refused.body.contains("agent1"), "a refusal shows no data")
        await h.stopAll()
    }

    @Test("a service without CC_AUTH_JWKS_FILE refuses to start (exit 2, the variable named); CC_AUTH_DISABLED=true starts it with a warning")
    func startWithoutKeys() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("services"))
        let refused = try ServiceProcess("report-service", environment: ["CC_AUTH_JWKS_FILE": ""],
                                         httpPort: try FreePort.find(), logDirectory: dir)
        #expect(await refused.waitForExit(timeout: .seconds(10)))
        #expect(refused.exitCode == 2)
        #expect(refused.log.contains("CC_AUTH_JWKS_FILE is not set"), "\(refused.log)")

        let badKeys = dir.appendingPathComponent("jwks.json")
        try Data(#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#.utf8).write(to: badKeys)
        let invalid = try ServiceProcess("report-service", environment: ["CC_AUTH_JWKS_FILE": badKeys.path],
                                         httpPort: try FreePort.find(), logDirectory: dir)
        #expect(await invalid.waitForExit(timeout: .seconds(10)))
        #expect(invalid.exitCode == 2, "a JWKS without a usable key is refused: \(invalid.log)")
        #expect(!invalid.log.contains("c2VjcmV0"), "key material is never printed")

        let h = try ServiceHarness()
        let open = try await h.start("report-service", environment: ["CC_AUTH_JWKS_FILE": "", "CC_AUTH_DISABLED": "true"])
        try await eventually("the warning is logged") { open.log.contains("authentication is disabled") }
        #expect(await open.get("/reports/charges?tenant=tenant-a", authorized: false)?.status != 401)
        await h.stopAll()
    }
}
