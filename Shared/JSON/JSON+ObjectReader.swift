import Foundation

extension JSON {
    /// A JSON object's members read one by one, without `Codable` for plain string members (as the CloudEvents
    /// envelope's attributes are): the same results and errors as a keyed container's.
    public struct ObjectReader {
        private let decoder: JSONValueDecoder
        private let bytes: [UInt8]

        /// Throws a syntax error as Foundation's decoder throws it, and a type mismatch when the text is not an object.
        public init(_ bytes: [UInt8]) throws {
            self.bytes = bytes
            let document = try FastJSONDecoder.document(bytes)
            decoder = JSONValueDecoder(document: document, index: 0, parent: nil, key: nil)
            guard document[0].kind == .object else { throw decoder.mismatch([String: Any].self, at: 0, path: []) }
            guard document.keysAreValid(object: 0) else { throw decoder.corrupted(path: [], "a key is not a valid string") }
        }

        /// Whether every member but `name` is a string, number, boolean or null.
        public func membersAreScalar(except name: String) -> Bool {
            decoder.document.membersAreScalar(object: 0, except: name)
        }

        /// `decodeIfPresent(String.self, forKey:)`.
        public func string(_ key: some CodingKey) throws -> String? {
            guard let i = decoder.document.member(key.stringValue, of: 0), decoder.document[i].kind != .null else { return nil }
            return try decoder.string(at: i, key: key)
        }

        /// `decode(T.self, forKey:)`; a type Foundation decodes in its own way is read by Foundation's decoder from
        /// the member's bytes.
        public func decode<T: Decodable>(_ type: T.Type, _ key: some CodingKey) throws -> T {
            guard let i = decoder.document.member(key.stringValue, of: 0) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "No value associated with key \(key.stringValue)."))
            }
            do {
                return try decoder.decode(T.self, at: i, key: key)
            } catch is FastJSONDecoder.Unsupported {
                // A string's range is between its quotes.
                let value = decoder.document[i]
                let quote = value.kind == .string ? 1 : 0
                let start = Int(value.start) - quote, end = Int(value.end) + quote
                return try JSONDecoder().decode(T.self, from: Data(bytes[start..<end]))
            }
        }
    }
}
