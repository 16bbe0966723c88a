import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a loopback socket (`Connection: close`), for peers whose
/// responses Foundation's URLSession on Linux rejects (chromedriver omits the space after header colons).
public enum RawHTTP {
    public static func request(_ method: String, port: Int, path: String, body: Data? = nil,
                               timeout: Duration = .seconds(60)) throws -> (status: Int, body: Data) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { throw TestSupportError("connect to \(port) failed") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        var out = Data((head + "\r\n").utf8)
        if let body { out.append(body) }
        _ = out.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response = Data()
        let deadline = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 200) > 0 else { continue }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            response.append(contentsOf: chunk[..<n])
            // Some servers keep the connection open: stop once Content-Length bytes of body are in.
            if let split = response.range(of: Data("\r\n\r\n".utf8)),
               let length = contentLength(String(decoding: response[..<split.lowerBound], as: UTF8.self)),
               response.count - split.upperBound >= length { break }
        }
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else { throw TestSupportError("no HTTP response") }
        let headers = String(decoding: response[..<split.lowerBound], as: UTF8.self)
        let status = Int(headers.split(separator: " ").dropFirst().first ?? "") ?? 0
        var payload = Data(response[split.upperBound...])
        if headers.lowercased().contains("transfer-encoding:chunked") || headers.lowercased().contains("transfer-encoding: chunked") {
            payload = dechunk(payload)
        }
        return (status, payload)
    }

    static func contentLength(_ headers: String) -> Int? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let line = rest.range(of: Data("\r\n".utf8)) {
            let size = Int(String(decoding: rest[..<line.lowerBound], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            let start = line.upperBound
            out.append(rest[start..<(start + size)])
            rest = rest[(start + size + 2)...]
        }
        return out
    }
}
