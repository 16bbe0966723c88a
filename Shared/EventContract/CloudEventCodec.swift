import CallCenterDomain
import FastJSON
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
    /// The W3C traceparent (distributed-tracing extension), when the event came with a valid one.
    public var traceparent: String?

    public init(id: String, source: String, type: String, time: Timestamp, tenantID: String, subject: String? = nil,
                traceparent: String? = nil) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.tenantID = tenantID
        self.subject = subject
        self.traceparent = traceparent
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
        case invalidJSON, notACloudEvent, unknownType, schemaViolation, eventTimeInFuture
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

    /// Encodes an event in structured JSON mode (the value of the Kafka message).
    ///
    /// The envelope is written directly (its members are plain strings); `data` by the payload's own writer
    /// straight into the output, or by the sorted-keys encoder.
    /// - Parameter traceparent: the input's W3C traceparent, passed on to what is derived from it (written only when
    ///   valid).
    public static func encode<P: EventPayload>(_ payload: P, id: String, source: String, time: Timestamp,
                                               tenantID: String, subject: String?, traceparent: String? = nil) -> [UInt8] {
        // Encoding plain structs of strings, numbers and booleans cannot fail. The fast encoder writes the
        // same bytes as Foundation's; it declines values Foundation treats specially (none in the contract).
        let writable = payload as? any SortedJSONWritable
        let data = writable != nil ? [] : try! JSON.encode(payload)
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 400 + id.utf8.count + source.utf8.count)
        out.append(contentsOf: #"{"specversion":"1.0","id":"#.utf8)
        JSONString.append(id, to: &out)
        out.append(contentsOf: #","source":"#.utf8)
        JSONString.append(source, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONString.append(P.eventType, to: &out)
        out.append(contentsOf: #","time":"#.utf8)
        JSONString.append(RFC3339.format(time), to: &out)
        out.append(contentsOf: #","tenantid":"#.utf8)
        JSONString.append(tenantID, to: &out)
        if let subject {
            out.append(contentsOf: #","subject":"#.utf8)
            JSONString.append(subject, to: &out)
        }
        if let traceparent, TraceParent.isValid(traceparent) {
            out.append(contentsOf: #","traceparent":"#.utf8)
            JSONString.append(traceparent, to: &out)
        }
        out.append(contentsOf: #","datacontenttype":"application/json","data":"#.utf8)
        if let writable {
            writable.writeSortedJSON(to: &out)
        } else {
            out.append(contentsOf: data)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    public static func encode(_ event: ContractEvent, attributes a: EventAttributes) -> [UInt8] {
        encode(event.payload, id: a.id, source: a.source, time: a.time, tenantID: a.tenantID, subject: a.subject,
               traceparent: a.traceparent)
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
        var traceparent: String?
    }

    private enum EnvelopeKey: String, CodingKey {
        case specversion, id, source, type, time, tenantid, subject, datacontenttype, traceparent, data
    }

    /// `data` of a structured event, decoded from the envelope's container (no second parse).
    private struct StructuredData: PayloadDecoding {
        let container: KeyedDecodingContainer<EnvelopeKey>
        func decode<P: EventPayload>(_ type: P.Type) throws -> P { try container.decode(P.self, forKey: .data) }
    }

    /// A structured event parsed once: its attributes, and its data decoded as the type it names
    /// (nil for an unknown or missing type; a data error is kept to be reported after the attributes).
    private struct Envelope: Decodable {
        var attributes: Probe
        var event: Result<ContractEvent, any Error>?

        init(attributes: Probe, event: Result<ContractEvent, any Error>?) {
            self.attributes = attributes
            self.event = event
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: EnvelopeKey.self)
            attributes = Probe(
                specversion: try c.decodeIfPresent(String.self, forKey: .specversion),
                id: try c.decodeIfPresent(String.self, forKey: .id), source: try c.decodeIfPresent(String.self, forKey: .source),
                type: try c.decodeIfPresent(String.self, forKey: .type), time: try c.decodeIfPresent(String.self, forKey: .time),
                tenantid: try c.decodeIfPresent(String.self, forKey: .tenantid),
                subject: try c.decodeIfPresent(String.self, forKey: .subject),
                datacontenttype: try c.decodeIfPresent(String.self, forKey: .datacontenttype),
                traceparent: try? c.decodeIfPresent(String.self, forKey: .traceparent))
            if let type = attributes.type, let decode = ContractEvent.decoders[type] {
                event = Result { try decode(StructuredData(container: c)) }
            }
        }
    }

    private struct BinaryData: PayloadDecoding {
        let bytes: [UInt8]
        func decode<P: EventPayload>(_ type: P.Type) throws -> P { try JSON.decode(P.self, from: bytes) }
    }

    /// `data` of a structured event read by the fast decoder.
    private struct IndexedData: PayloadDecoding {
        let object: JSON.ObjectReader
        func decode<P: EventPayload>(_ type: P.Type) throws -> P { try object.decode(P.self, EnvelopeKey.data) }
    }

    /// The envelope read from the indexed text, its attributes without `Codable` (they are plain strings), as
    /// `Envelope` reads them.
    private static func decodeEnvelope(_ value: [UInt8]) throws -> Envelope {
        let object = try JSON.ObjectReader(value)
        let attributes = Probe(
            specversion: try object.string(EnvelopeKey.specversion), id: try object.string(EnvelopeKey.id),
            source: try object.string(EnvelopeKey.source), type: try object.string(EnvelopeKey.type),
            time: try object.string(EnvelopeKey.time), tenantid: try object.string(EnvelopeKey.tenantid),
            subject: try object.string(EnvelopeKey.subject), datacontenttype: try object.string(EnvelopeKey.datacontenttype),
            traceparent: try? object.string(EnvelopeKey.traceparent))
        guard object.membersAreScalar(except: "data") else {
            // An extension attribute holding an object or array (only `data` may) is not a CloudEvent.
            throw DecodingError.typeMismatch(String.self, .init(codingPath: [],
                debugDescription: "attributes are strings, numbers or booleans; only data may be an object or array"))
        }
        var event: Result<ContractEvent, any Error>?
        if let type = attributes.type, let decode = ContractEvent.decoders[type] {
            event = Result { try decode(IndexedData(object: object)) }
        }
        return Envelope(attributes: attributes, event: event)
    }

    /// Decodes a Kafka message value (and headers) into a typed event, or says why it is not one.
    public static func decode(value: [UInt8], headers: [(key: String, value: [UInt8]?)]) throws(EventDecodingError) -> DecodedEvent {
        try decode(value: value, headers: headers, withFoundation: false)
    }

    /// `withFoundation`: structured events through Foundation's decoder, as before the fast one (tests compare both).
    static func decode(value: [UInt8], headers: [(key: String, value: [UInt8]?)],
                       withFoundation: Bool) throws(EventDecodingError) -> DecodedEvent {
        guard value.count <= maximumSize else {
            throw EventDecodingError(.schemaViolation, "message of \(value.count) bytes exceeds \(maximumSize)")
        }
        func header(_ k: String) -> String? {
            headers.last { $0.key.lowercased() == k }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        let attributes: Probe
        var payloadDecoder: (any PayloadDecoding)?
        var structuredEvent: Result<ContractEvent, any Error>?
        if let spec = header("ce_specversion") {
            // Binary mode: attributes in ce_* headers, data as the value.
            attributes = Probe(specversion: spec, id: header("ce_id"), source: header("ce_source"), type: header("ce_type"),
                               time: header("ce_time"), tenantid: header("ce_tenantid"), subject: header("ce_subject"),
                               datacontenttype: header("content-type"), traceparent: header("ce_traceparent"))
            guard JSON.isValid(value) else {
                throw EventDecodingError(.invalidJSON, "the value is not valid JSON")
            }
            payloadDecoder = BinaryData(bytes: value)
        } else {
            do {
                let envelope = withFoundation ? try JSONDecoder().decode(Envelope.self, from: Data(value)) : try decodeEnvelope(value)
                if withFoundation, let object = try? JSON.ObjectReader(value), !object.membersAreScalar(except: "data") {
                    throw DecodingError.typeMismatch(String.self, .init(codingPath: [], debugDescription: "an attribute is an object or array"))
                }
                attributes = envelope.attributes
                structuredEvent = envelope.event
            } catch let DecodingError.typeMismatch(_, context) {
                throw EventDecodingError(.notACloudEvent, "not a CloudEvents object: \(context.debugDescription)")
            } catch {
                throw EventDecodingError(.invalidJSON, "the value is not valid JSON")
            }
        }
        guard attributes.specversion == "1.0" else {
            throw EventDecodingError(.notACloudEvent, "specversion must be \"1.0\"")
        }
        guard let id = attributes.id, !id.isEmpty, let source = attributes.source, !source.isEmpty,
              let type = attributes.type, !type.isEmpty else {
            throw EventDecodingError(.notACloudEvent, "id, source and type are required")
        }
        // Byte lengths, not characters: the ids are kept in memory and on disk per event (dedup).
        guard id.utf8.count <= 200, source.utf8.count <= 200, type.utf8.count <= 200 else {
            throw EventDecodingError(.notACloudEvent, "id, source and type must be at most 200 bytes each")
        }
        guard let timeText = attributes.time, let time = RFC3339.parse(timeText) else {
            throw EventDecodingError(.notACloudEvent, "time is required as RFC 3339")
        }
        guard let tenant = attributes.tenantid, !tenant.isEmpty, tenant.utf8.count <= 100 else {
            throw EventDecodingError(.notACloudEvent, "the tenantid extension attribute is required")
        }
        guard let decode = ContractEvent.decoders[type] else {
            throw EventDecodingError(.unknownType, "unknown type \(type.prefix(100))")
        }
        let event: ContractEvent
        do {
            if let payloadDecoder {
                event = try decode(payloadDecoder)
            } else if case .failure = structuredEvent, let bytes = dataBase64(value) {
                // The CloudEvents JSON format may carry the data as `data_base64` (the SDKs do for bytes data):
                // looked for only when `data` did not decode, so the common case pays nothing for it.
                event = try decode(BinaryData(bytes: bytes))
            } else {
                event = try structuredEvent!.get()
            }
        } catch {
            throw EventDecodingError(.schemaViolation, "data does not match \(type): \(describe(error))")
        }
        do {
            try event.payload.validate()
        } catch {
            throw EventDecodingError(.schemaViolation, "data does not match \(type): \(error)")
        }
        // A traceparent that is not valid is ignored (not passed on), as the W3C recommends; the event is still good.
        return DecodedEvent(attributes: EventAttributes(id: id, source: source, type: type, time: time, tenantID: tenant,
                                                        subject: attributes.subject,
                                                        traceparent: attributes.traceparent.flatMap { TraceParent.isValid($0) ? $0 : nil }),
                            event: event)
    }

    /// The bytes of a structured event's `data_base64`, when it has one and no `data`.
    private static func dataBase64(_ value: [UInt8]) -> [UInt8]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any], object["data"] == nil,
              let text = object["data_base64"] as? String, let bytes = Data(base64Encoded: text) else { return nil }
        return Array(bytes)
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
