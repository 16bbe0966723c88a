@testable import CallCenterDomain
import EventContract
import FastJSON
import Foundation
import PropertyBased
import RoutingService
import Testing

/// routing-service's agent and call entities write their own JSON (the state diff encodes them every batch): it must
/// be exactly what Foundation's sorted-keys encoder writes from their synthesized `Codable`, which restores them.
@Suite("Hand-written entity JSON")
struct EntityJSONWritersTests {
    static func foundation<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(value))
    }

    static func same<T: Codable & Equatable>(_ value: T) throws {
        #expect((value as Any) is any SortedJSONWritable, "written by hand, not through Codable")
        let fast = try JSON.encode(value)
        let reference = try foundation(value)
        #expect(fast == reference, "\(String(decoding: fast, as: UTF8.self)) vs \(String(decoding: reference, as: UTF8.self))")
        #expect(try JSONDecoder().decode(T.self, from: Data(fast)) == value, "reads back the same")
    }

    static let pieces = ["a", "Z", "0", "-", "\"", "\\", "/", "\n", "\u{01}", "é", "日本", "😀", " ", "+81"]

    @Test("agents in every activity and presence write Foundation's bytes for random values")
    func agents() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...(Self.pieces.count - 1)).array(of: 0...6),
                            Gen.int(in: -1_000...1_000_000).array(of: 3...3), Gen.int(in: 0...255)) { picks, numbers, bits in
            let text = picks.map { Self.pieces[$0] }.joined()
            var agent = AgentRouting(idleSince: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000 + Int64(numbers[0])))
            agent.presence = Presence.allCases[bits % Presence.allCases.count]
            agent.consecutiveNoAnswers = numbers[1]
            let until = Timestamp(millisecondsSinceEpoch: Int64(numbers[2]))
            for activity: AgentRouting.Activity in [.idle, .ringing(text), .onCall(text), .wrapUp(until: until)] {
                agent.activity = activity
                try? Self.same(agent)
            }
        }
    }

    @Test("calls in every phase, with and without a plan and tried agents, write Foundation's bytes for random values")
    func calls() async throws {
        let mobile = try PhoneNumber.parse("09012345678")
        await propertyCheck(count: 300, input: Gen.int(in: 0...(Self.pieces.count - 1)).array(of: 0...6),
                            Gen.int(in: -1_000...1_000_000).array(of: 4...4), Gen.int(in: 0...255)) { picks, numbers, bits in
            let text = picks.map { Self.pieces[$0] }.joined()
            let deadline = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000 + Int64(numbers[0]))
            var call = RoutedCall(id: text, callCenterID: text + "cc", callerNumber: "+81" + text,
                                  arrivedAt: Timestamp(millisecondsSinceEpoch: Int64(numbers[1])), sequence: Int64(numbers[2]))
            call.attempts = numbers[3]
            call.triedAccounts = Set((0..<(bits % 4)).map { "\(text)\($0)" })
            if bits & 4 != 0 {
                call.plan = DeliveryPlan(
                    accountID: text, delivery: bits & 8 == 0 ? .softphone : .externalNumber, dialNumber: bits & 16 == 0 ? nil : mobile,
                    phoneType: bits & 32 == 0 ? nil : PhoneType.allCases[abs(numbers[3]) % PhoneType.allCases.count],
                    presentedCallerID: text + "x", channels: numbers[0], ringTimeoutSeconds: -numbers[1],
                    features: CallFeatures(crmPopup: bits & 64 != 0, openCti: bits & 128 != 0, holdCounted: bits & 1 != 0,
                                           holdVisible: bits & 2 != 0))
            }
            for phase: RoutedCall.Phase in [.queued, .ringing(text, deadline: deadline),
                                            .awaitingConfirmation(text, deadline: deadline), .connected(text)] {
                call.phase = phase
                try? Self.same(call)
            }
        }
    }
}
