import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// The official CloudEvents Python SDK (`cloudevents` 2.x, installed by `scripts/bootstrap`, Kafka binding) against
/// the contract: what the services write, it reads; what it writes, the services accept.
@Suite("CloudEvents SDK")
struct CloudEventsSDKTests {
    static let python = TestBroker.projectRoot.appendingPathComponent(".venv/bin/python")
    static let script = TestBroker.projectRoot.appendingPathComponent("scripts/cloudevents-sdk.py").path

    @Test("every output event of every contract type parses with the SDK in structured mode, and again after the SDK writes it in binary mode")
    func outputsParse() async throws {
        let t = Timestamp(seconds: 1_800_000_000)
        let lines = Samples.every.enumerated().map { i, p in
            Data(CloudEventCodec.encode(p, id: "out-\(i)", source: "/routing-service", time: t, tenantID: "tenant-a",
                                        subject: i.isMultiple(of: 2) ? "call-\(i)" : nil)).base64EncodedString()
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("ce-outputs")).path
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let (status, output) = try await runProgram(Self.python, [Self.script, "parse-outputs", file])
        #expect(status == 0, "\(output)")
        #expect(output.contains("parsed \(lines.count) events"), "\(output)")
    }

    @Test("events the SDK writes in every mode it offers (structured or binary, data as a dict or as bytes, the structured bytes as data_base64) are accepted as the same event")
    func sdkInputsAccepted() async throws {
        let (status, output) = try await runProgram(Self.python, [Self.script, "write-inputs"])
        try #require(status == 0, "\(output)")
        struct Written: Decodable {
            var mode: String
            var key: String?
            var headers: [String: String]
            var value: String
        }
        let written = try output.split(separator: "\n").map { try JSONDecoder().decode(Written.self, from: Data($0.utf8)) }
        #expect(written.map(\.mode) == ["structured (dict data)", "structured (bytes data)", "binary (dict data)", "binary (bytes data)"])
        for w in written {
            let headers = w.headers.map { (key: $0.key, value: Data(base64Encoded: $0.value).map { Array($0) }) }
            let value = Array(Data(base64Encoded: w.value) ?? Data())
            do {
                let event = try CloudEventCodec.decode(value: value, headers: headers)
                #expect(event.attributes.tenantID == "tenant-sdk" && event.attributes.source == "/sdk", "\(w.mode)")
                #expect(w.key == event.attributes.tenantID, "\(w.mode): keyed by its tenant (partitionkey)")
                guard case .callOffered(let offered) = event.event else {
                    Issue.record("\(w.mode): \(event.attributes.type)")
                    continue
                }
                #expect(offered.callId == "sdk-call" && offered.callCenterId == "cc1" && offered.callerNumber == "+81311112222"
                        && offered.dialedNumber == "+81399990000" && offered.at.timestamp == Timestamp(seconds: 1_800_000_000),
                        "\(w.mode)")
            } catch {
                Issue.record("\(w.mode): refused: \(error)")
            }
        }
    }
}
