import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One of the project's executables, started as a real process for end-to-end tests.
public final class ServiceProcess: @unchecked Sendable {
    public let name: String
    public let httpPort: Int
    public let logURL: URL
    private let process: Process

    /// Where `swift build` put the executables (beside the test bundle).
    public static var binDirectory: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // The runner may be inside `X.xctest/...`.
        while dir.path != "/" && !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("settings-service").path) {
            dir.deleteLastPathComponent()
        }
        if dir.path == "/" { return TestBroker.projectRoot.appendingPathComponent(".build/debug") }
        return dir
    }

    public init(_ name: String, environment: [String: String], httpPort: Int, logDirectory: URL) throws {
        self.name = name
        self.httpPort = httpPort
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        logURL = logDirectory.appendingPathComponent("\(name)-\(httpPort).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process = Process()
        process.executableURL = Self.binDirectory.appendingPathComponent(name)
        var env = ProcessInfo.processInfo.environment
        env["CC_HTTP_PORT"] = String(httpPort)
        env["CC_AUTH_JWKS_FILE"] = TestAuthority.shared.jwksFile
        // Test events are dated from TestEvents.t0 (2027-01-15), ahead of the clock until then.
        env["CC_MAX_EVENT_AHEAD_SECONDS"] = String(400 * 86_400)
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    public var exitCode: Int32 { process.terminationStatus }
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    public func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the process to exit; true if it did within the timeout.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !process.isRunning
    }

    /// GET on the service's HTTP port: status code and body, nil if nothing answers. Data routes get a
    /// supervisor's token of the tenant the path names (`tenant=`), unless `headers` are given.
    public func get(_ path: String, headers: [String: String] = [:], authorized: Bool = true) async -> (status: Int, body: String)? {
        await HTTP.get("http://127.0.0.1:\(httpPort)\(path)", headers: headers, authorized: authorized)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A tiny HTTP client for tests.
public enum HTTP {
    /// GET with status and body. Unless `authorized` is false or `headers` has its own, a URL that names a tenant
    /// (`tenant=`) gets a supervisor's token of that tenant from `TestAuthority`.
    public static func get(_ url: String, headers: [String: String] = [:], authorized: Bool = true) async -> (status: Int, body: String)? {
        await getWithHeaders(url, headers: headers, authorized: authorized).map { ($0.status, $0.body) }
    }

    /// GET with status, response headers (names lowercased) and body.
    public static func getWithHeaders(_ url: String, headers: [String: String] = [:], authorized: Bool = true) async
        -> (status: Int, headers: [String: String], body: String)? {
        guard let u = URL(string: url) else { return nil }
        var request = URLRequest(url: u, timeoutInterval: 5)
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        if authorized, headers["Authorization"] == nil,
           let tenant = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "tenant" })?.value,
           let token = try? await TestAuthority.shared.token(tenant: tenant) {
            request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization")
        }
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              let http = response as? HTTPURLResponse else { return nil }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return (http.statusCode, fields, String(decoding: data, as: UTF8.self))
    }
}
