/// The four screens from which a sign-in device can be changed (S2).
public enum SettingsScreen: String, Codable, Sendable, CaseIterable {
    /// アカウント
    case account
    /// マイアカウント
    case myAccount
    /// コールセンター業務 › 所属エージェント
    case callCenterOperations
    /// リアルタイムモニタ
    case realtimeMonitor

    /// Screens that act within one call center and need edit permission on it.
    public var isCallCenterScoped: Bool { self == .callCenterOperations || self == .realtimeMonitor }
}
