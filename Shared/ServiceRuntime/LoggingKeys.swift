import Logging

/// The metadata keys of structured logs, in one place so that logs stay greppable.
public enum LoggingKeys {
    public static let service = "service"
    public static let brokers = "brokers"
    public static let attempt = "attempt"
    public static let error = "error"
    public static let topics = "topics"
    public static let topic = "topic"
    public static let partition = "partition"
    public static let offset = "offset"
    public static let tenant = "tenant"
    public static let eventType = "event_type"
    public static let eventID = "event_id"
    public static let callID = "call_id"
    public static let accountID = "account_id"
    public static let phoneNumber = "phone_number"
    public static let librdkafka = "librdkafka"
    public static let httpPort = "http_port"
}
