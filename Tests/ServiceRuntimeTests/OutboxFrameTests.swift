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
        otherVersion[0] = OutboxFrame.version &+ 1
        #expect(OutboxFrame.decode(otherVersion) == nil)
    }
}
