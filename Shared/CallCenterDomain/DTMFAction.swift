/// What a sequence of keys on a personal phone asks for (F6–F9).
public enum DTMFAction: Hashable, Codable, Sendable {
    /// Put the customer on hold (`*`, `#` at once; `*0` keeps it).
    case hold
    /// Release the hold.
    case unhold
    /// `#700`: park the call (F7).
    case park
    /// `*` + number (attended) or `#` + number (blind) (F9).
    case transfer(TransferMode, TransferTarget)
    /// Keys that make no valid command; the hold is released too.
    case rejected(keys: String, reason: DTMFRejection)
}

public enum TransferMode: String, Codable, Sendable {
    /// The agent talks to the target first.
    case attended
    /// Straight to the target.
    case blind
}

/// A transfer target: an extension of an account of the tenant, or an external number (F9).
public enum TransferTarget: Hashable, Codable, Sendable {
    case `extension`(String, AccountID)
    case external(PhoneNumber)

    /// The target as the telephony layer dials it: the extension, or E.164.
    public var dialString: String {
        switch self {
        case .extension(let e, _): e
        case .external(let n): n.e164
        }
    }
}

public enum DTMFRejection: String, Error, Codable, Sendable {
    case invalidNumber
    case forbiddenDestination
    case invalidKey
}

/// Decides what digits name: an extension of the tenant, or an external number that passes S4.
public struct TransferTargetResolver: Hashable, Codable, Sendable {
    public var extensions: [String: AccountID]
    public var allowInternational: Bool

    public init(extensions: [String: AccountID], allowInternational: Bool) {
        self.extensions = extensions
        self.allowInternational = allowInternational
    }

    public func resolve(_ digits: String) -> Result<TransferTarget, DTMFRejection> {
        if let account = extensions[digits] {
            // Extensions are checked where they are configured; this is the last line should one slip through.
            guard ForwardingPolicy.isAllowedExtension(digits) else { return .failure(.forbiddenDestination) }
            return .success(.extension(digits, account))
        }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(.invalidNumber) }
        guard let number = try? PhoneNumber.parse(digits) else { return .failure(.invalidNumber) }
        if ForwardingPolicy.rejection(of: number, for: .transferTarget, allowInternational: allowInternational) != nil {
            return .failure(.forbiddenDestination)
        }
        return .success(.external(number))
    }
}
