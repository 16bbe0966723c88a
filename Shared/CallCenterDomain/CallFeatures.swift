/// Features of one delivered call that depend on the device (A4).
public struct CallFeatures: Hashable, Codable, Sendable {
    /// CRM incoming-call popup: needs the softphone to ring (F10).
    public var crmPopup: Bool
    /// OpenCTI (F11).
    public var openCti: Bool
    /// Holds count in the monitor's hold count and in reports (T2, P1): not for personal phones.
    public var holdCounted: Bool
    /// On-hold is shown in the views (T3): never for landlines.
    public var holdVisible: Bool

    public init(crmPopup: Bool, openCti: Bool, holdCounted: Bool, holdVisible: Bool) {
        self.crmPopup = crmPopup
        self.openCti = openCti
        self.holdCounted = holdCounted
        self.holdVisible = holdVisible
    }

    public static func `for`(_ device: SignInDevice) -> CallFeatures {
        switch device {
        case .softphone:
            CallFeatures(crmPopup: true, openCti: true, holdCounted: true, holdVisible: true)
        case .externalNumber(_, let type):
            CallFeatures(crmPopup: false, openCti: false, holdCounted: false, holdVisible: type != .landline)
        }
    }
}
