/// Decodes `Decodable` values from JSON as Foundation's `JSONDecoder` does with its default strategies, several
/// times faster: the text is checked and indexed once (`JSONDocument`), members are found by comparing key bytes,
/// and no dictionary or key string is built per object. Errors are the same `DecodingError` cases with the same
/// coding paths. Types Foundation decodes in its own way (dates, data, URLs, decimals) and super decoders make it
/// throw `Unsupported`; the caller then uses Foundation's decoder.
enum FastJSONDecoder {
    struct Unsupported: Error {}

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONValueDecoder(document: try document(bytes), index: 0, parent: nil, key: nil).decode(T.self, at: 0, key: nil)
    }

    /// The indexed text; a syntax error is thrown as Foundation's decoder throws it.
    static func document(_ bytes: [UInt8]) throws -> JSONDocument {
        do {
            return try JSONDocument(bytes)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "The given data was not valid JSON: \(error.problem) at byte \(error.offset).", underlyingError: error))
        }
    }
}

/// An element's position in an array, as a coding key (for coding paths).
private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// The decoder of one value of the document; `parent` and `key` give its coding path when an error needs it.
final class JSONValueDecoder: Decoder {
    let document: JSONDocument
    let index: Int
    let parent: JSONValueDecoder?
    let key: (any CodingKey)?

    init(document: JSONDocument, index: Int, parent: JSONValueDecoder?, key: (any CodingKey)?) {
        self.document = document
        self.index = index
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: JSONValueDecoder? = self
        while let n = node, let k = n.key {
            path.append(k)
            node = n.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document[index].kind == .object else { throw mismatch([String: Any].self, at: index, path: codingPath) }
        guard document.keysAreValid(object: index) else { throw corrupted(path: codingPath, "a key is not a valid string") }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard document[index].kind == .array else { throw mismatch([Any].self, at: index, path: codingPath) }
        return JSONUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { JSONSingleValueContainer(decoder: self) }

    // MARK: values

    /// Decodes the value at `index` (a member or element of this decoder's value, or the value itself).
    func decode<T: Decodable>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        if let scalar = T.self as? any JSONDecodableScalar.Type {
            return try scalar.read(self, at: index, key: key) as! T
        }
        if T.self is any FoundationSpecialValue.Type { throw FastJSONDecoder.Unsupported() }
        let child = index == self.index && key == nil ? self : JSONValueDecoder(document: document, index: index, parent: self, key: key)
        return try T(from: child)
    }

    func path(_ key: (any CodingKey)?) -> [any CodingKey] {
        guard let key else { return codingPath }
        return codingPath + [key]
    }

    func mismatch(_ type: Any.Type, at index: Int, path: [any CodingKey]) -> DecodingError {
        let kind = document[index].kind
        if kind == .null {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(kind) instead."))
    }

    func corrupted(path: [any CodingKey], _ problem: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: "The given data was not valid JSON: \(problem)."))
    }

    func string(at index: Int, key: (any CodingKey)?) throws -> String {
        guard document[index].kind == .string else { throw mismatch(String.self, at: index, path: path(key)) }
        guard let text = document.string(at: index) else { throw corrupted(path: path(key), "invalid string") }
        return text
    }

    func bool(at index: Int, key: (any CodingKey)?) throws -> Bool {
        guard document[index].kind == .bool else { throw mismatch(Bool.self, at: index, path: path(key)) }
        return document[index].flag
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        guard document[index].kind == .number else { throw mismatch(T.self, at: index, path: path(key)) }
        guard let text = document.numberText(at: index) else { throw corrupted(path: path(key), "invalid number") }
        if let value = T(text) { return value }
        // 1.0 and 1e3 are integers too, if exactly representable (as Foundation reads them).
        if let double = Double(text), let value = T(exactly: double) { return value }
        throw DecodingError.dataCorrupted(.init(codingPath: path(key),
                                                debugDescription: "Number \(text.prefix(40)) is not representable in \(T.self)."))
    }

    func floatingPoint<T: BinaryFloatingPoint>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        guard document[index].kind == .number else { throw mismatch(T.self, at: index, path: path(key)) }
        guard let text = document.numberText(at: index) else { throw corrupted(path: path(key), "invalid number") }
        guard let double = Double(text), double.isFinite, abs(double) <= Double(T.greatestFiniteMagnitude) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(key),
                                                    debugDescription: "Number \(text.prefix(40)) is not representable in \(T.self)."))
        }
        return T(double)
    }
}

private struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    private var document: JSONDocument { decoder.document }

    private func member(_ key: Key) -> Int? { document.member(key.stringValue, of: decoder.index) }

    private func required(_ key: Key) throws -> Int {
        guard let i = member(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                                                       debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return i
    }

    var allKeys: [Key] {
        var keys: [Key] = []
        var i = decoder.index + 1
        for _ in 0..<document[decoder.index].count {
            if let name = document.string(at: i), let k = Key(stringValue: name) { keys.append(k) }
            i = Int(document[i + 1].next)
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { member(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { document[try required(key)].kind == .null }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(at: try required(key), key: key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(at: try required(key), key: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(Int.self, at: try required(key), key: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(Int64.self, at: try required(key), key: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try decoder.floatingPoint(Double.self, at: try required(key), key: key)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decode(T.self, at: try required(key), key: key)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let i = member(key), document[i].kind != .null else { return nil }
        return try decoder.string(at: i, key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let i = member(key), document[i].kind != .null else { return nil }
        return try decoder.decode(T.self, at: i, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    private func child(_ key: Key) throws -> JSONValueDecoder {
        JSONValueDecoder(document: document, index: try required(key), parent: decoder, key: key)
    }

    func superDecoder() throws -> any Decoder { throw FastJSONDecoder.Unsupported() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw FastJSONDecoder.Unsupported() }
}

private struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: JSONValueDecoder
    /// Index of the next element's value.
    private var position: Int
    private(set) var currentIndex = 0

    init(decoder: JSONValueDecoder) {
        self.decoder = decoder
        position = decoder.index + 1
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { Int(decoder.document[decoder.index].count) }
    var isAtEnd: Bool { currentIndex >= count! }

    private mutating func next() throws -> (index: Int, key: IndexKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath + [IndexKey(currentIndex)],
                                                              debugDescription: "Unkeyed container is at end."))
        }
        let found = (position, IndexKey(currentIndex))
        position = Int(decoder.document[position].next)
        currentIndex += 1
        return found
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any?.self, .init(codingPath: codingPath + [IndexKey(currentIndex)],
                                                               debugDescription: "Unkeyed container is at end."))
        }
        guard decoder.document[position].kind == .null else { return false }
        _ = try next()
        return true
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let (i, key) = try next()
        return try decoder.string(at: i, key: key)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (i, key) = try next()
        return try decoder.decode(T.self, at: i, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (i, key) = try next()
        return try JSONValueDecoder(document: decoder.document, index: i, parent: decoder, key: key).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (i, key) = try next()
        return try JSONValueDecoder(document: decoder.document, index: i, parent: decoder, key: key).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { throw FastJSONDecoder.Unsupported() }
}

private struct JSONSingleValueContainer: SingleValueDecodingContainer {
    let decoder: JSONValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.document[decoder.index].kind == .null }
    func decode(_ type: String.Type) throws -> String { try decoder.string(at: decoder.index, key: nil) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(T.self, at: decoder.index, key: nil) }
}

/// Values read straight from the document.
private protocol JSONDecodableScalar {
    static func read(_ decoder: JSONValueDecoder, at index: Int, key: (any CodingKey)?) throws -> Self
}

extension String: JSONDecodableScalar {
    fileprivate static func read(_ decoder: JSONValueDecoder, at index: Int, key: (any CodingKey)?) throws -> String {
        try decoder.string(at: index, key: key)
    }
}

extension Bool: JSONDecodableScalar {
    fileprivate static func read(_ decoder: JSONValueDecoder, at index: Int, key: (any CodingKey)?) throws -> Bool {
        try decoder.bool(at: index, key: key)
    }
}

extension FixedWidthInteger where Self: JSONDecodableScalar {
    fileprivate static func read(_ decoder: JSONValueDecoder, at index: Int, key: (any CodingKey)?) throws -> Self {
        try decoder.integer(Self.self, at: index, key: key)
    }
}

extension Int: JSONDecodableScalar {}
extension Int8: JSONDecodableScalar {}
extension Int16: JSONDecodableScalar {}
extension Int32: JSONDecodableScalar {}
extension Int64: JSONDecodableScalar {}
extension UInt: JSONDecodableScalar {}
extension UInt8: JSONDecodableScalar {}
extension UInt16: JSONDecodableScalar {}
extension UInt32: JSONDecodableScalar {}
extension UInt64: JSONDecodableScalar {}

extension BinaryFloatingPoint where Self: JSONDecodableScalar {
    fileprivate static func read(_ decoder: JSONValueDecoder, at index: Int, key: (any CodingKey)?) throws -> Self {
        try decoder.floatingPoint(Self.self, at: index, key: key)
    }
}

extension Double: JSONDecodableScalar {}
extension Float: JSONDecodableScalar {}
