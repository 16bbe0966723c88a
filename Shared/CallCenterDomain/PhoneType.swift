/// What kind of phone an external number reaches; it decides hold visibility
/// (T3: landlines never show on-hold) and the rate of forwarded minutes (P3).
public enum PhoneType: String, Codable, Sendable, CaseIterable {
    case mobile
    case landline
    case ipPhone
}
