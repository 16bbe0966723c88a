import CallCenterDomain
import EventContract
import Foundation
import KafkaClient

func out(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

/// Ends ccctl with a message on stderr: code 1 for a failure, 2 for a usage error, 3 for refused access.
func fail(_ s: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("ccctl: \(s)\n".utf8))
    exit(code)
}

/// Masks phone numbers in any format (and long digit runs).
func mask(_ text: String) -> String { PhoneNumber.maskNumbers(in: text) }

func decode(_ m: ConsumedMessage) -> DecodedEvent? {
    try? CloudEventCodec.decode(value: m.value, headers: m.headers.map { ($0.key, $0.value) })
}

/// The `data` of an event as sorted JSON (the first 300 bytes of anything else).
func dataJSON(_ m: ConsumedMessage) -> String {
    guard let obj = try? JSONSerialization.jsonObject(with: Data(m.value)) as? [String: Any],
          let data = obj["data"], let json = try? JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]) else {
        return String(decoding: m.value.prefix(300), as: UTF8.self)
    }
    return String(decoding: json, as: UTF8.self)
}
