/// The `data` of one CloudEvents type of the contract.
public protocol EventPayload: Codable, Sendable, Hashable {
    /// The CloudEvents `type`, e.g. `cc.call.offered.v1`.
    static var eventType: String { get }
    /// Checks beyond the JSON shape (ranges, non-empty ids). Throws the first violation.
    func validate() throws(SchemaViolation)
}

extension EventPayload {
    public func validate() throws(SchemaViolation) {}
}

/// `data` that breaks its schema.
public struct SchemaViolation: Error, Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var problem: String
    public init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }
    public var description: String { "\(field): \(problem)" }

    static func require(_ ok: Bool, _ field: String, _ problem: String) throws(SchemaViolation) {
        if !ok { throw SchemaViolation(field, problem) }
    }
    static func nonEmpty(_ value: String, _ field: String) throws(SchemaViolation) {
        try require(!value.isEmpty && value.count <= 200, field, "must be 1 to 200 characters")
    }
}
