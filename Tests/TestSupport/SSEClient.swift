import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal Server-Sent Events reader over a loopback socket, for tests.
public final class SSEClient: @unchecked Sendable {
    private let fd: Int32
    private var buffer = ""

    /// The status line and headers of the response, once `next` has read them.
    public private(set) var responseHead = ""

    public init(port: Int, path: String, headers: [String: String] = [:]) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw TestSupportError("connect to \(port) failed") }
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\(extra)\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
    }

    deinit { close(fd) }

    /// The response's status code, read from its head (the stream stays open for `next`).
    public func status(timeout: Duration = .seconds(10)) throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while responseHead.isEmpty && ContinuousClock.now < deadline { try read() }
        guard let code = responseHead.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw TestSupportError("no response head within \(timeout)")
        }
        return code
    }

    private func read() throws {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 200) > 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { throw TestSupportError("stream closed") }
        // Chunked transfer framing lines are harmless here: events are matched by their own lines.
        buffer += String(decoding: chunk[..<n], as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        if responseHead.isEmpty, let end = buffer.range(of: "\n\n") {
            responseHead = String(buffer[..<end.lowerBound])
            buffer.removeSubrange(..<end.upperBound)
        }
    }

    /// Reads until an event whose data satisfies `matches` arrives; returns that data.
    public func next(event name: String, timeout: Duration = .seconds(20), matching matches: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            while let range = buffer.range(of: "\n\n") {
                let block = String(buffer[..<range.lowerBound])
                buffer.removeSubrange(..<range.upperBound)
                let lines = block.split(separator: "\n").map(String.init)
                if lines.contains("event: \(name)"), let data = lines.first(where: { $0.hasPrefix("data: ") }) {
                    let payload = String(data.dropFirst(6))
                    if matches(payload) { return payload }
                }
            }
            try read()
        }
        throw TestSupportError("no matching \(name) event within \(timeout)")
    }
}
