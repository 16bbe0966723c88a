/// What the reports count (P1, P2).
public enum ReportRules {
    /// P1: call-center and agent reports do not count holds of calls on personal phones.
    public static func countsHold(device: DeliveryKind) -> Bool { device == .softphone }

    /// P2: the outbound report counts calls from personal phones only when made by callback dialing.
    public static func countsOutbound(device: DeviceKind, via: OutboundPolicy.Via) -> Bool {
        device == .softphone || via == .callbackDialing
    }
}
