/// Why a sign-in device change was refused, with a message for the screen.
public struct DeviceChangeRejection: Error, Hashable, Codable, Sendable {
    public enum Reason: String, Codable, Sendable, CaseIterable {
        case permissionDenied
        case invalidNumber
        case forbiddenDestination
        case unknownAccount
        case notAMember
        case invalidRequest
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
