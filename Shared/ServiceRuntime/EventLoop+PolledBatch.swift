import CallCenterDomain
import EventContract
import Foundation
import KafkaClient
import Logging
import Synchronization

extension EventLoop {
    /// Messages of one poll and their decoding (pure, on all cores): started at once for a batch decoded while the
    /// loop works on the one before it, or done when the loop asks for it.
    final class PolledBatch: @unchecked Sendable {
        let messages: [ConsumedMessage]
        /// `rebalances` right after the poll returned.
        let rebalancesSeen: Int
        let timeLimit: EventTimeLimit
        let cpu: PhaseCPU?
        private var result: [Result<DecodedEvent, EventDecodingError>]?
        private var decoding: DispatchGroup?

        init(_ messages: [ConsumedMessage], rebalancesSeen: Int, timeLimit: EventTimeLimit, cpu: PhaseCPU? = nil) {
            self.messages = messages
            self.cpu = cpu
            self.rebalancesSeen = rebalancesSeen
            self.timeLimit = timeLimit
        }

        func startDecoding() {
            guard decoding == nil, result == nil, !messages.isEmpty else { return }
            let group = DispatchGroup()
            decoding = group
            group.enter()
            DispatchQueue.global().async { [self] in
                result = MessageDecoding.decode(messages, timeLimit: timeLimit, now: EventLoop.wallClock(), cpu: cpu)  // read only after the group is left
                group.leave()
            }
        }

        func decoded() async -> [Result<DecodedEvent, EventDecodingError>] {
            if let decoding {
                await withCheckedContinuation { continuation in decoding.notify(queue: .global()) { continuation.resume() } }
            } else if result == nil {
                result = MessageDecoding.decode(messages, timeLimit: timeLimit, now: EventLoop.wallClock(), cpu: cpu)
            }
            return result!
        }
    }
}

/// Decoding consumed messages into events (on all cores), each checked against the event-time limit.
enum MessageDecoding {
    static func decode(_ messages: [ConsumedMessage], timeLimit: EventTimeLimit,
                       now: Timestamp, cpu: PhaseCPU? = nil) -> [Result<DecodedEvent, EventDecodingError>] {
        ParallelMap.map(messages.count, cpu: cpu, .decode) { i in
            let m = messages[i]
            do {
                let event = try CloudEventCodec.decode(value: m.value, headers: m.headers.map { ($0.key, $0.value) })
                try timeLimit.check(event, now: now)
                return .success(event)
            } catch let error as EventDecodingError {
                return .failure(error)
            } catch {
                return .failure(EventDecodingError(.invalidJSON, "\(error)"))
            }
        }
    }
}
