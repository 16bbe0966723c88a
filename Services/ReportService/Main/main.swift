import ArgumentParser
import CallCenterDomain
import EventContract
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import NIOCore
import ReportService
import ServiceRuntime

// report-service                       runs the service
// report-service report KIND --tenant T [--from ISO] [--to ISO] [--csv] [--url http://127.0.0.1:8084]
//                                      prints a report from a running service (KIND: callcenter|agent|outbound|charges|channels)
//
// HTTP: GET /reports/{kind}?tenant=T&from=ISO&to=ISO   (JSON; CSV with Accept: text/csv or &format=csv)
//       GET /charts/channels.svg?tenant=T&from=..&to=..
//       GET /charts/charges.svg?tenant=T&from=..&to=..
let arguments = CommandLine.arguments
if arguments.count > 1, arguments[1] == "report" {
    exit(await ReportCommand.run(Array(arguments.dropFirst(2))))
}

await ServiceMain.run(.report, processor: ReportProcessor()) { loop in
    { ReportController(states: loop).addRoutes(to: $0) }
}

/// `report-service report ...`: fetches a report from a running service and prints it.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report-service report", abstract: "Prints a report of a running report-service.",
        discussion: "The token may also come from CC_ACCESS_TOKEN; CC_REPORT_URL sets the default URL.")

    @Argument(help: "The report: \(Reports.Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
    @Option(help: "The tenant.") var tenant: String
    @Option(help: "Start of the range, RFC 3339.") var from: String?
    @Option(help: "End of the range, RFC 3339.") var to: String?
    @Flag(help: "CSV instead of JSON.") var csv = false
    @Option(help: "The service's base URL.") var url = ProcessInfo.processInfo.environment["CC_REPORT_URL"] ?? ServiceDeclaration.report.defaultLocalURL
    @Option(help: "A bearer token of the tenant (default: CC_ACCESS_TOKEN).") var token: String?

    func validate() throws {
        guard Reports.Kind(rawValue: kind) != nil else {
            throw ValidationError("KIND must be one of \(Reports.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard URLComponents(string: url + "/reports/" + kind)?.url != nil else { throw ValidationError("--url is not a URL") }
    }

    /// Parses `args` and runs; the exit code (2 for a usage error, as before).
    static func run(_ args: [String]) async -> Int32 {
        let command: ReportCommand
        do { command = try parse(args) } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                FileHandle.standardOutput.write(Data((message + "\n").utf8))
                return 0
            }
            FileHandle.standardError.write(Data("report-service report: \(message)\n".utf8))
            return 2
        }
        return await command.fetch()
    }

    func fetch() async -> Int32 {
        var components = URLComponents(string: url + "/reports/" + kind)!
        components.queryItems = [URLQueryItem(name: "tenant", value: tenant)]
            + [("from", from), ("to", to)].compactMap { k, v in v.map { URLQueryItem(name: k, value: $0) } }
            + (csv ? [URLQueryItem(name: "format", value: "csv")] : [])
        do {
            var request = URLRequest(url: components.url!)
            if let token = token ?? ProcessInfo.processInfo.environment["CC_ACCESS_TOKEN"] {
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            FileHandle.standardOutput.write(data)
            if status != 200 {
                FileHandle.standardError.write(Data("report-service: HTTP \(status)\n".utf8))
                return 1
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("report-service: cannot reach \(url): \(error.localizedDescription)\n".utf8))
            return 1
        }
    }
}
