import Foundation
@testable import ServiceRuntime
import Testing

/// The outbox keeps a batch's outgoing messages as one frame: what goes in must come out exactly.
@Suite("Outbox frame")
struct OutboxFrameTests {
    // A bridged string has no contiguous UTF-8 storage: the encoder's slower path.
    let bridged = NSString(string: "tenant-\u{00E4}-bridged") as String

    var messages: [OutboxFrame.Message] {
        [("cc.routing.decisions", nil, "tenant-ä", Array("{\"a\":1}".utf8), "application/cloudevents+json"),
         ("cc.routing.state", 7, bridged, [], nil),
         ("t", Int32.max, "", [0, 255, 1], bridged),
         ("", -1, "k", Array(repeating: 42, count: 70_000), "")]
    }

    @Test("messages round-trip: partitions and content types present or absent, empty and long values, bridged strings")
    func roundTrip() throws {
        let frame = OutboxFrame.encode(messages)
        let decoded = try #require(OutboxFrame.decode(Array(frame)))
        #expect(decoded.map(\.topic) == messages.map(\.topic))
        #expect(decoded.map(\.partition) == messages.map(\.partition))
        #expect(decoded.map(\.key) == messages.map(\.key))
        #expect(decoded.map(\.value) == messages.map(\.value))
        #expect(decoded.map(\.contentType) == messages.map(\.contentType))
        #expect(OutboxFrame.decode(Array(OutboxFrame.encode([]))).map(\.count) == 0)
    }

    @Test("a truncated frame, or one of another version, is rejected rather than read as fewer messages")
    func rejectsDamage() {
        let frame = Array(OutboxFrame.encode(messages))
        for cut in [2, 10, frame.count / 2, frame.count - 1] {
            #expect(OutboxFrame.decode(Array(frame.prefix(cut))) == nil, "cut at \(cut)")
        }
        var otherVersion = frame
        otherVersion[0] = OutboxFrame.compressedVersion &+ 1
        #expect(OutboxFrame.decode(otherVersion) == nil)
        // A compressed frame that declares another length than its block holds.
        var wrongLength = frame
        wrongLength[1] &+= 1
        #expect(OutboxFrame.decode(wrongLength) == nil)
    }

    @Test("a batch's frame is stored compressed (LZ4) when that is smaller; frames the previous release wrote (plain) still read")
    func compression() throws {
        let batch: [OutboxFrame.Message] = (0..<2_000).map { i in
            ("cc.routing.decisions", nil, "tenant-a",
             Array(#"{"specversion":"1.0","id":"k\#(i)-offer","source":"/routing-service","type":"cc.routing.call.offered-to-agent.v1","data":{"callId":"k\#(i)"}}"#.utf8),
             "application/cloudevents+json")
        }
        let frame = OutboxFrame.encode(batch)
        let plain = OutboxFrame.plainFrame(batch)
        #expect(frame.first == OutboxFrame.compressedVersion)
        #expect(frame.count * 4 < plain.count, "\(frame.count) of \(plain.count) bytes")
        let decoded = try #require(OutboxFrame.decode(Array(frame)))
        #expect(decoded.map(\.value) == batch.map(\.value))
        #expect(decoded.map(\.key) == batch.map(\.key))
        #expect(plain.first == OutboxFrame.version)
        #expect(try #require(OutboxFrame.decode(Array(plain))).map(\.value) == batch.map(\.value))
        // Too small to pay: stored plain.
        #expect(OutboxFrame.encode([("t", nil, "k", [1], nil)]).first == OutboxFrame.version)
    }
}
