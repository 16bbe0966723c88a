// Measures the event codec on one core: events encoded and decoded per second by the services' codec
// (`CloudEventCodec`: the streaming sorted-keys encoder, the fast decoder) against Foundation's
// `JSONEncoder`/`JSONDecoder` on the same events in the same run (the baseline).
//   swift run -c release CodecBenchmark [seconds-per-case]
import CallCenterDomain
import EventContract
import FastJSON
import Foundation

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let secondsPerCase = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 1.0 : 1.0
let t0 = Timestamp(seconds: 1_800_000_000)
let center = CallCenter(id: "cc-1", tenantID: "t", name: "Center", externalNumber: "+81312345678",
                        noAnswerTimeoutSeconds: 35, wrapUpSeconds: 35, memberAccountIDs: ["agent-1"])
let plan = DeliveryPlan.make(accountID: "agent-1", device: .externalNumber(try! PhoneNumber.parse("09012345678"), .mobile),
                             callCenter: center, callerNumber: "+81311112222")
/// The routing mix: what routing-service reads (offers, hang-ups) and writes (offers to agents).
let offered = TelephonyEvents.CallOffered(callId: "call-000123", callCenterId: "cc-1", callerNumber: "+81311112222",
                                          dialedNumber: "+81312345678", at: EventTime(t0))
let ended = TelephonyEvents.CallEnded(callId: "call-000123", at: EventTime(t0.adding(seconds: 60)))
let offer = RoutingEvents.OfferedToAgent(callId: "call-000123", callCenterId: "cc-1", plan: plan, attempt: 1, at: t0)

let foundationEncoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return e
}()

struct Result { var name: String; var operations: Int; var seconds: Double; var rate: Double { Double(operations) / seconds } }
var results: [Result] = []
var sink = 0

@MainActor func measure(_ name: String, _ body: () throws -> Int) rethrows {
    _ = try body()
    var ops = 0
    let start = now()
    var elapsed = 0.0
    repeat {
        ops += try body()
        elapsed = now() - start
    } while elapsed < secondsPerCase
    results.append(Result(name: name, operations: ops, seconds: elapsed))
}

/// Encodes the three payloads 1,000 times each.
@MainActor func encodeMix(_ encode: (any Encodable) throws -> [UInt8]) rethrows -> Int {
    for _ in 0..<1_000 {
        sink &+= try encode(offered).count + encode(ended).count + encode(offer).count
    }
    return 3_000
}

try measure("payload encode, Foundation JSONEncoder (baseline)") { try encodeMix { Array(try foundationEncoder.encode($0)) } }
try measure("payload encode, JSON.encode (hand-written writers, else streaming)") { try encodeMix { try JSON.encode($0) } }

let events: [[UInt8]] = [
    CloudEventCodec.encode(offered, id: "e-1", source: "/telephony", time: t0, tenantID: "tenant-a", subject: "call-000123"),
    CloudEventCodec.encode(ended, id: "e-2", source: "/telephony", time: t0, tenantID: "tenant-a", subject: "call-000123"),
    CloudEventCodec.encode(offer, id: "e-3", source: "/routing-service", time: t0, tenantID: "tenant-a", subject: "call-000123"),
]
try measure("event encode (envelope + data), CloudEventCodec") {
    for _ in 0..<1_000 {
        sink &+= CloudEventCodec.encode(offered, id: "e-1", source: "/telephony", time: t0, tenantID: "tenant-a", subject: "c").count
            + CloudEventCodec.encode(ended, id: "e-2", source: "/telephony", time: t0, tenantID: "tenant-a", subject: "c").count
            + CloudEventCodec.encode(offer, id: "e-3", source: "/routing-service", time: t0, tenantID: "tenant-a", subject: "c").count
    }
    return 3_000
}

/// The envelope as a Foundation baseline decodes it: attributes and data in one pass.
struct FoundationEnvelope<P: Decodable>: Decodable {
    var specversion: String, id: String, source: String, type: String, time: String, tenantid: String
    var subject: String?
    var data: P
}
try measure("event decode, Foundation JSONDecoder (baseline)") {
    let decoder = JSONDecoder()
    for _ in 0..<1_000 {
        sink &+= try decoder.decode(FoundationEnvelope<TelephonyEvents.CallOffered>.self, from: Data(events[0])).id.count
        sink &+= try decoder.decode(FoundationEnvelope<TelephonyEvents.CallEnded>.self, from: Data(events[1])).id.count
        sink &+= try decoder.decode(FoundationEnvelope<RoutingEvents.OfferedToAgent>.self, from: Data(events[2])).id.count
    }
    return 3_000
}
try measure("event decode (attributes checked, typed data), CloudEventCodec") {
    for _ in 0..<1_000 {
        for e in events { sink &+= try CloudEventCodec.decode(value: e, headers: []).attributes.id.count }
    }
    return 3_000
}

print("Event codec, one core, \(secondsPerCase) s per case (sink \(sink % 10)):")
print("| case | events/s | vs baseline |")
print("|---|---|---|")
var baseline = 1.0
for r in results {
    if r.name.hasSuffix("(baseline)") { baseline = r.rate }
    print("| \(r.name) | \(Int(r.rate)) | \(String(format: "%.2f", r.rate / baseline)) |")
}
