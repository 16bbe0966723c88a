import CallCenterDomain
import Foundation

/// The CloudEvents attributes of an event (everything but `data`).
public struct EventAttributes: Sendable, Hashable {
    public var id: String
    /// URI-reference of the producer, e.g. `/routing-service`.
    public var source: String
    public var type: String
    public var time: Timestamp
    public var tenantID: String
    /// The call id for call events, the account id for account events.
    public var subject: String?

    public init(id: String, source: String, type: String, time: Timestamp, tenantID: String, subject: String? = nil) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.tenantID = tenantID
        self.subject = subject
    }
}

/// A decoded event: its attributes and its typed data.
public struct DecodedEvent: Sendable, Hashable {
    public var attributes: EventAttributes
    public var event: ContractEvent
}

/// Why bytes are not an event of the contract; the code names the dead-letter reason.
public struct EventDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case invalidJSON, notACloudEvent, unknownType, schemaViolation
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code.rawValue): \(message)" }
}

/// CloudEvents 1.0 over Kafka: structured JSON mode out; structured and binary mode in.
public enum CloudEventCodec {
    public static let structuredContentType = "application/cloudevents+json"
    public static let dataContentType = "application/json"
    /// Messages larger than this are refused before parsing (the broker's default limit is 1 MB).
    public static let maximumSize = 1_048_576

    // MARK: encoding

    private struct Structured<P: Encodable>: Encodable {
        var specversion = "1.0"
        var id: String
        var source: String
        var type: String
        var time: String
        var tenantid: String
        var subject: String?
        var datacontenttype = CloudEventCodec.dataContentType
        var data: P
    }

    /// Encodes an event in structured JSON mode (the value of the Kafka message).
    public static func encode<P: EventPayload>(_ payload: P, id: String, source: String, time: Timestamp,
                                               tenantID: String, subject: String?) -> [UInt8] {
        let envelope = Structured(id: id, source: source, type: P.eventType, time: RFC3339.format(time), tenantid: tenantID,
                                  subject: subject, data: payload)
        // Encoding plain structs of strings, numbers and booleans cannot fail.
        return Array(try! encoder.encode(envelope))
    }

    /// Shared (JSONEncoder is thread-safe once configured). Keys come in declaration order, which is
    /// stable; sorting them on every event cost more than the rest of the encoding.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    public static func encode(_ event: ContractEvent, attributes a: EventAttributes) -> [UInt8] {
        func go<P: EventPayload>(_ p: P) -> [UInt8] {
            encode(p, id: a.id, source: a.source, time: a.time, tenantID: a.tenantID, subject: a.subject)
        }
        return go(event.payload)
    }

    // MARK: decoding

    private struct Probe: Decodable {
        var specversion: String?
        var id: String?
        var source: String?
        var type: String?
        var time: String?
        var tenantid: String?
        var subject: String?
        var datacontenttype: String?
    }

    private struct DataOnly<P: Decodable>: Decodable { var data: P }

    private struct StructuredData: PayloadDecoding {
        let bytes: Data
        func decode<P: EventPayload>(_ type: P.Type) throws -> P { try JSONDecoder().decode(DataOnly<P>.self, from: bytes).data }
    }

    private struct BinaryData: PayloadDecoding {
        let bytes: Data
        func decode<P: EventPayload>(_ type: P.Type) throws -> P { try JSONDecoder().decode(P.self, from: bytes) }
    }

    /// Decodes a Kafka message value (and headers) into a typed event, or says why it is not one.
    public static func decode(value: [UInt8], headers: [(key: String, value: [UInt8]?)]) throws(EventDecodingError) -> DecodedEvent {
        guard value.count <= maximumSize else {
            throw EventDecodingError(.schemaViolation, "message of \(value.count) bytes exceeds \(maximumSize)")
        }
        func header(_ k: String) -> String? {
            headers.last { $0.key.lowercased() == k }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        let bytes = Data(value)
        let attributes: Probe
        let payloadDecoder: any PayloadDecoding
        if let spec = header("ce_specversion") {
            // Binary mode: attributes in ce_* headers, data as the value.
            attributes = Probe(specversion: spec, id: header("ce_id"), source: header("ce_source"), type: header("ce_type"),
                               time: header("ce_time"), tenantid: header("ce_tenantid"), subject: header("ce_subject"),
                               datacontenttype: header("content-type"))
            guard (try? JSONSerialization.jsonObject(with: bytes)) != nil else {
                throw EventDecodingError(.invalidJSON, "the value is not valid JSON")
            }
            payloadDecoder = BinaryData(bytes: bytes)
        } else {
            do {
                attributes = try JSONDecoder().decode(Probe.self, from: bytes)
            } catch let DecodingError.typeMismatch(_, context) {
                throw EventDecodingError(.notACloudEvent, "not a CloudEvents object: \(context.debugDescription)")
            } catch {
                throw EventDecodingError(.invalidJSON, "the value is not valid JSON")
            }
            payloadDecoder = StructuredData(bytes: bytes)
        }
        guard attributes.specversion == "1.0" else {
            throw EventDecodingError(.notACloudEvent, "specversion must be \"1.0\"")
        }
        guard let id = attributes.id, !id.isEmpty, id.count <= 200, let source = attributes.source, !source.isEmpty,
              let type = attributes.type, !type.isEmpty else {
            throw EventDecodingError(.notACloudEvent, "id, source and type are required")
        }
        guard let timeText = attributes.time, let time = RFC3339.parse(timeText) else {
            throw EventDecodingError(.notACloudEvent, "time is required as RFC 3339")
        }
        guard let tenant = attributes.tenantid, !tenant.isEmpty, tenant.count <= 100 else {
            throw EventDecodingError(.notACloudEvent, "the tenantid extension attribute is required")
        }
        guard let decode = ContractEvent.decoders[type] else {
            throw EventDecodingError(.unknownType, "unknown type \(type.prefix(100))")
        }
        let event: ContractEvent
        do {
            event = try decode(payloadDecoder)
        } catch {
            throw EventDecodingError(.schemaViolation, "data does not match \(type): \(describe(error))")
        }
        do {
            try event.payload.validate()
        } catch {
            throw EventDecodingError(.schemaViolation, "data does not match \(type): \(error)")
        }
        return DecodedEvent(attributes: EventAttributes(id: id, source: source, type: type, time: time, tenantID: tenant,
                                                        subject: attributes.subject),
                            event: event)
    }

    private static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.filter { $0 != "data" }.joined(separator: ".")
        }
        switch e {
        case .keyNotFound(let key, let c): return "missing \((path(c).isEmpty ? "" : path(c) + ".") + key.stringValue)"
        case .typeMismatch(_, let c): return "wrong type at \(path(c))"
        case .valueNotFound(_, let c): return "null at \(path(c))"
        case .dataCorrupted(let c): return "invalid value at \(path(c)): \(c.debugDescription.prefix(80))"
        @unknown default: return "\(e)"
        }
    }
}
