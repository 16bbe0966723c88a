import Foundation
import TestSupport
import Testing

/// Debian's Prometheus (installed by `scripts/bootstrap`) against the project's alerting rules, dashboard and the
/// four services' /metrics.
@Suite("Prometheus", .serialized)
struct PrometheusTests {
    static let docs = TestBroker.projectRoot.appendingPathComponent("docs")
    static let promtool = URL(fileURLWithPath: "/usr/bin/promtool")

    @Test("the alerting rules (not ready, down, consumer lag, dead letters per minute, channels near the limit) pass promtool's check and its unit tests")
    func rules() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool.path), "promtool missing: run scripts/bootstrap (make test does)")
        let check = try await runProgram(Self.promtool, ["check", "rules", Self.docs.appendingPathComponent("prometheus/alerts.yml").path])
        #expect(check.status == 0 && check.output.contains("SUCCESS: 5 rules found"), "\(check.output)")
        let unit = try await runProgram(Self.promtool, ["test", "rules", Self.docs.appendingPathComponent("prometheus/alerts.test.yml").path])
        #expect(unit.status == 0 && unit.output.contains("SUCCESS"), "\(unit.output)")
    }

    struct QueryResult: Decodable {
        struct Data: Decodable {
            struct Series: Decodable {
                var metric: [String: String]
                var value: [JSONValue]?
            }
            var result: [Series]
        }
        var status: String
        var data: Data
    }

    /// A number or a string of Prometheus's JSON (`value` is `[time, "value"]`).
    enum JSONValue: Decodable {
        case number(Double), text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
        }
        var text: String? { if case .text(let s) = self { s } else { nil } }
    }

    @Test("a real Prometheus scrapes the four services: every target up, the project's metrics present with their service labels, the rules loaded, every dashboard query valid")
    func scrapes() async throws {
        let prometheusBinary = URL(fileURLWithPath: "/usr/bin/prometheus")
        try #require(FileManager.default.isExecutableFile(atPath: prometheusBinary.path), "prometheus missing: run scripts/bootstrap")
        let h = try ServiceHarness()
        var targets: [String: Int] = [:]
        for name in ["settings-service", "routing-service", "status-service", "report-service"] {
            targets[name] = try await h.start(name).httpPort
        }
        let dir = h.directory.appendingPathComponent("prometheus")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - \(Self.docs.appendingPathComponent("prometheus/alerts.yml").path)
            scrape_configs:
              - job_name: callcenter
                static_configs:
                  - targets: [\(targets.values.sorted().map { "\"127.0.0.1:\($0)\"" }.joined(separator: ", "))]
            """
        try config.write(to: dir.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let port = try FreePort.find()
        let prometheus = Process()
        prometheus.executableURL = prometheusBinary
        prometheus.arguments = ["--config.file", dir.appendingPathComponent("prometheus.yml").path,
                                "--storage.tsdb.path", dir.appendingPathComponent("data").path,
                                "--web.listen-address", "127.0.0.1:\(port)"]
        let log = dir.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        prometheus.standardOutput = try FileHandle(forWritingTo: log)
        prometheus.standardError = prometheus.standardOutput
        try prometheus.run()
        defer { prometheus.terminate() }
        let api = "http://127.0.0.1:\(port)/api/v1"
        func query(_ expr: String) async -> QueryResult? {
            let q = expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            guard let r = await HTTP.get("\(api)/query?query=\(q)", authorized: false), r.status == 200 else { return nil }
            return try? JSONDecoder().decode(QueryResult.self, from: Data(r.body.utf8))
        }

        try await eventually(timeout: .seconds(60), "Prometheus scrapes all four services") {
            await query("up{job=\"callcenter\"} == 1")?.data.result.count == 4
        }
        try await eventually(timeout: .seconds(60), "every service ready, as Prometheus sees it") {
            let ready = await query("cc_ready == 1")?.data.result ?? []
            return Set(ready.compactMap { $0.metric["service"] }) == Set(targets.keys)
        }
        for metric in ["cc_events_consumed_total", "cc_events_produced_total", "cc_events_deadlettered_total", "cc_consumer_lag",
                       "cc_batch_duration_seconds_count"] {
            let series = await query(metric)?.data.result ?? []
            #expect(Set(series.compactMap { $0.metric["service"] }) == Set(targets.keys), "\(metric) from every service: \(series.map(\.metric))")
        }
        let phases = await query("cc_batch_phase_seconds_count")?.data.result ?? []
        #expect(Set(phases.compactMap { $0.metric["phase"] }) == ["decide", "store", "produce"])
        let channels = await query("cc_channels_in_use_ratio_max")?.data.result ?? []
        #expect(channels.map { $0.metric["service"] } == ["routing-service"], "the channel gauges come from routing-service")
        #expect(channels.first?.value?.last?.text == "0", "no tenant, no channel in use")

        // The rules are loaded and evaluated against the real series (none fires: everything is up and idle).
        let rules = await HTTP.get("\(api)/rules", authorized: false)
        #expect(rules?.body.contains("CallCenterChannelsNearLimit") == true && rules?.body.contains("\"health\":\"ok\"") == true)
        #expect(!(rules?.body.contains("\"health\":\"err\"") ?? true), "\(rules?.body ?? "")")
        let alerts = await HTTP.get("\(api)/alerts", authorized: false)
        #expect(alerts?.body.contains("\"alerts\":[]") == true, "\(alerts?.body ?? "")")

        // Every query of the Grafana dashboard runs against these series.
        struct Dashboard: Decodable {
            struct Panel: Decodable {
                struct Target: Decodable { var expr: String }
                var title: String
                var targets: [Target]
            }
            var panels: [Panel]
        }
        let dashboard = try JSONDecoder().decode(Dashboard.self, from: Data(contentsOf: Self.docs.appendingPathComponent("grafana/callcenter-dashboard.json")))
        #expect(dashboard.panels.count == 10)
        for panel in dashboard.panels {
            for target in panel.targets {
                let result = await query(target.expr)
                #expect(result?.status == "success", "\(panel.title): \(target.expr)")
            }
        }
        await h.stopAll()
    }
}
