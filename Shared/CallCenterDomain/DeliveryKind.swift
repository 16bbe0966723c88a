/// How a call reaches the agent it is offered to (A4, F12).
public enum DeliveryKind: String, Codable, Sendable, CaseIterable {
    /// The platform's softphone rings.
    case softphone
    /// The agent's own phone is dialled for this call (a forwarded leg, F3).
    case externalNumber
    /// Bridged onto the agent's open persistent leg, without ringing (F12).
    case persistentLeg

    public init(_ device: DeviceKind) {
        switch device {
        case .softphone: self = .softphone
        case .externalNumber: self = .externalNumber
        }
    }

    /// Whether the call reaches a personal phone (F1, F5–F9, F14–F16).
    public var isExternal: Bool { self != .softphone }
}
