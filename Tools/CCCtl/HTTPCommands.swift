import ArgumentParser
import Foundation
import ServiceRuntime
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The bearer token for a service's HTTP views.
struct TokenOption: ParsableArguments {
    @Option(help: "A bearer token of the tenant, role supervisor or systemAdministrator (default: CC_ACCESS_TOKEN).")
    var token: String?

    /// GET `base + path`; nil when it fails or answers other than 200 (401 and 403 end ccctl with what to do).
    func get(base: String, path: String, service: String, tenant: String) async -> Data? {
        let token = token ?? ProcessInfo.processInfo.environment["CC_ACCESS_TOKEN"]
        guard let url = URL(string: base + path) else { return nil }
        var request = URLRequest(url: url)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        guard let (data, r) = try? await URLSession.shared.data(for: request) else { return nil }
        switch (r as? HTTPURLResponse)?.statusCode {
        case 200: return data
        case 401: fail("\(service) at \(base) refused the token (401): set CC_ACCESS_TOKEN or --token to a valid one", code: 3)
        case 403: fail("\(service) at \(base) refused access to tenant \(tenant) (403): the token needs that tenant and role supervisor or systemAdministrator", code: 3)
        default: return nil
        }
    }
}

func query(_ value: String) -> String { value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value }

struct AgentView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "An agent's sign-in device (number masked) and its audit trail, from settings-service.")

    @Argument(help: "The account id.") var account: String
    @Option(help: "The agent's tenant.") var tenant: String
    @Option(help: "settings-service's base URL.") var settingsURL = ServiceDeclaration.settings.defaultLocalURL
    @OptionGroup var token: TokenOption
    /// Accepted (and unused) so that scripts may give every ccctl command the Kafka options.
    @OptionGroup(visibility: .hidden) var kafka: KafkaOptions

    func run() async throws {
        let base = settingsURL
        func get(_ path: String) async -> Any? {
            await token.get(base: base, path: path, service: "settings-service", tenant: tenant)
                .flatMap { try? JSONSerialization.jsonObject(with: $0) }
        }
        let (t, acc) = (query(tenant), query(account))
        guard let accounts = await get("/api/accounts?tenant=\(t)") as? [[String: Any]] else {
            fail("settings-service at \(base) does not know tenant \(tenant)")
        }
        guard let entry = accounts.first(where: { $0["accountId"] as? String == account }) else { fail("no account \(account) in \(tenant)") }
        let device = entry["device"] as? [String: Any] ?? [:]
        let persistent = device["persistentConnection"] as? Bool == true ? " (persistent connection)" : ""
        out("\(account) (\(entry["name"] ?? "")), \(entry["role"] ?? ""): \(device["kind"] ?? "") \(device["phoneType"] ?? "") \(device["number"] ?? "")\(persistent)")
        let trail = await get("/api/audit?tenant=\(t)&account=\(acc)&limit=50") as? [[String: Any]] ?? []
        for e in trail {
            let prev = e["previous"] as? [String: Any] ?? [:], cur = e["current"] as? [String: Any] ?? [:]
            out("  \(e["at"] ?? "") \(e["screen"] ?? "") by \(e["actorAccountId"] ?? ""): \(prev["kind"] ?? "") \(prev["number"] ?? "") → \(cur["kind"] ?? "") \(cur["number"] ?? "")")
        }
        out("\(trail.count) changes")
    }
}

/// A report of report-service as CSV (F12: the charges report shows agent legs apart from calls).
struct ReportView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "A report of report-service, as CSV.")

    enum Kind: String, ExpressibleByArgument, CaseIterable { case callcenter, agent, outbound, charges, channels }

    @Argument(help: "The report: callcenter, agent, outbound, charges or channels.") var kind: Kind
    @Option(help: "The tenant.") var tenant: String
    @Option(help: "Start of the range, RFC 3339 (default: 400 days before its end).") var from: String?
    @Option(help: "End of the range, RFC 3339 (default: a minute after the latest data).") var to: String?
    @Option(help: "report-service's base URL.") var reportURL = ServiceDeclaration.report.defaultLocalURL
    @OptionGroup var token: TokenOption
    /// Accepted (and unused) so that scripts may give every ccctl command the Kafka options.
    @OptionGroup(visibility: .hidden) var kafka: KafkaOptions

    func run() async throws {
        var path = "/reports/\(kind.rawValue)?format=csv&tenant=\(query(tenant))"
        if let from { path += "&from=\(query(from))" }
        if let to { path += "&to=\(query(to))" }
        guard let data = await token.get(base: reportURL, path: path, service: "report-service", tenant: tenant) else {
            fail("report-service at \(reportURL) gave no \(kind.rawValue) report for \(tenant)")
        }
        FileHandle.standardOutput.write(data)
    }
}
