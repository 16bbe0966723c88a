import CallCenterDomain
import EventContract
import Foundation
import TestSupport
import Testing

/// What the decoder and the runtime refuse before a handler sees an event.
@Suite("Event bounds: times ahead of the clock, attributes, id lengths")
struct EventBoundsTests {
    static let now = Timestamp(seconds: 1_800_000_000)

    static func decoded(_ p: some EventPayload, time: Timestamp = now) throws -> DecodedEvent {
        try CloudEventCodec.decode(value: CloudEventCodec.encode(p, id: "e1", source: "/t", time: time, tenantID: "t1", subject: nil),
                                   headers: [])
    }

    static func code(_ body: () throws -> Void) -> EventDecodingError.Code? {
        do { try body() } catch let error as EventDecodingError { return error.code } catch { return nil }
        return nil
    }

    @Test("an event whose time or data.at is further ahead of the clock than allowed is refused eventTimeInFuture; the allowance and overflow hold")
    func futureTimes() throws {
        let limit = EventTimeLimit(maximumAheadSeconds: 3_600)
        let ended = { (at: Timestamp) in TelephonyEvents.CallEnded(callId: "c1", at: EventTime(at)) }
        try limit.check(try Self.decoded(ended(Self.now.adding(seconds: 3_600)), time: Self.now.adding(seconds: 3_600)), now: Self.now)
        for (time, at) in [(Self.now.adding(seconds: 3_601), Self.now), (Self.now, Self.now.adding(seconds: 3_601)),
                           (Timestamp(seconds: 253_402_300_799), Self.now)] {
            let event = try Self.decoded(ended(at), time: time)
            #expect(Self.code { try limit.check(event, now: Self.now) } == .eventTimeInFuture)
        }
        // No overflow at the ends of the range.
        let huge = EventTimeLimit(maximumAheadSeconds: Int.max)
        try huge.check(try Self.decoded(ended(Timestamp(seconds: 253_402_300_799))), now: Timestamp(millisecondsSinceEpoch: .max - 10))
    }

    @Test("an attribute holding an object or an array (only data may) is not a CloudEvent; scalar extensions are accepted")
    func extensionAttributes() throws {
        let base = #"{"specversion":"1.0","id":"e1","source":"/t","type":"cc.call.ended.v1","time":"2027-01-15T08:00:00Z","tenantid":"t1","data":{"callId":"c1","at":"2027-01-15T08:00:00Z"}"#
        for ext in [#","ext":{"a":1}}"#, #","ext":[1]}"#] {
            #expect(Self.code { _ = try CloudEventCodec.decode(value: Array((base + ext).utf8), headers: []) } == .notACloudEvent)
        }
        let accepted = try CloudEventCodec.decode(value: Array((base + #","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","n":1,"b":true}"#).utf8),
                                                  headers: [])
        #expect(accepted.attributes.id == "e1")
    }

    @Test("ids in routing decisions and call commands are at most 200 bytes")
    func idLengths() {
        let long = String(repeating: "x", count: 201)
        #expect(throws: SchemaViolation.self) { try CallCommandEvents.Hold(callId: long, accountId: "a1").validate() }
        #expect(throws: SchemaViolation.self) { try RoutingEvents.CallRejected(callId: long, reason: .concurrentCallLimitReached, at: Self.now).validate() }
        #expect(throws: Never.self) { try CallCommandEvents.Hold(callId: String(repeating: "x", count: 200), accountId: "a1").validate() }
    }
}
