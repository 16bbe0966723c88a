/// Why a string is not a phone number.
public enum PhoneNumberError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    /// A character that has no place in a phone number (letters, invisible or look-alike characters).
    case invalidCharacter(String)
    /// The digits do not form a number of any known shape.
    case invalidLength(digits: Int)
    /// A `+` not at the start, or an international number that cannot exist.
    case malformed(String)

    public var description: String {
        switch self {
        case .empty: "the number is empty"
        case .invalidCharacter(let c): "the number contains an invalid character \(c)"
        case .invalidLength(let n): "a number of \(n) digits does not exist"
        case .malformed(let why): "the number is malformed: \(why)"
        }
    }
}
