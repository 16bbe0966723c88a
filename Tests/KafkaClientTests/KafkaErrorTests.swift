import KafkaClient
import Testing

@Suite("Kafka errors")
struct KafkaErrorTests {
    @Test("a fenced or fatally failed producer is told apart from errors a retry can fix: only a new producer goes on after it")
    func fatalForProducer() {
        // librdkafka: PRODUCER_FENCED 90, INVALID_PRODUCER_EPOCH 47, _FATAL -150, _FENCED -144.
        for code: Int32 in [90, 47, -150, -144] {
            #expect(KafkaError(code: .delivery, reason: "x", rdKafkaErrorCode: code).isFatalForProducer, "\(code)")
        }
        // _MSG_TIMED_OUT -192, _TRANSPORT -195, MSG_SIZE_TOO_LARGE 10, and no librdkafka code at all.
        for code: Int32? in [-192, -195, 10, nil] {
            #expect(!KafkaError(code: .delivery, reason: "x", rdKafkaErrorCode: code).isFatalForProducer, "\(String(describing: code))")
        }
    }
}
