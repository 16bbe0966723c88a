/// A call center's settings for agents with a persistent connection (F12).
public struct PersistentConnectionSettings: Hashable, Codable, Sendable {
    /// Minutes without a customer call after which the agent leg is closed.
    public var idleMinutes: Int

    public init(idleMinutes: Int = Self.defaultIdleMinutes) { self.idleMinutes = idleMinutes }

    public static let defaultIdleMinutes = 10
    /// The range the contract accepts (a day at most).
    public static let idleMinutesRange = 1...1_440
}
