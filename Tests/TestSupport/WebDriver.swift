import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Drives headless Chromium through chromedriver (W3C WebDriver over HTTP), for page tests.
public final class WebDriver: @unchecked Sendable {
    private let driver: Process
    private let port: Int
    private var session = ""

    public init() async throws {
        let port = try FreePort.find()
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        self.port = port
        try FreePort.waitUntilListening(port: port, timeout: .seconds(10))
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": ["goog:chromeOptions": [
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900"],
        ]]]]
        let r = try await call("POST", "/session", caps)
        guard let value = r["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw TestSupportError("no WebDriver session: \(r)")
        }
        session = id
    }

    public func open(_ url: String) async throws {
        _ = try await call("POST", "/session/\(session)/url", ["url": url])
    }

    /// Runs JavaScript in the page and returns its result.
    public func evaluate(_ script: String) async throws -> Any? {
        try await call("POST", "/session/\(session)/execute/sync", ["script": script, "args": []])["value"]
    }

    public func screenshot(to url: URL) async throws {
        let r = try await call("GET", "/session/\(session)/screenshot", nil)
        guard let b64 = r["value"] as? String, let data = Data(base64Encoded: b64) else { throw TestSupportError("no screenshot") }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    public func quit() async {
        _ = try? await call("DELETE", "/session/\(session)", nil)
        // chromedriver does not always stop on SIGTERM; the session is gone, so kill it.
        kill(driver.processIdentifier, SIGKILL)
    }

    private func call(_ method: String, _ path: String, _ body: [String: Any]?) async throws -> [String: Any] {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let port = self.port
        let r = try await Task.detached { try RawHTTP.request(method, port: port, path: path, body: payload) }.value
        return (try JSONSerialization.jsonObject(with: r.body)) as? [String: Any] ?? [:]
    }
}
