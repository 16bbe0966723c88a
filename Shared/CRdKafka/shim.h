#ifndef CC_RDKAFKA_SHIM_H
#define CC_RDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* rd_kafka_producev is variadic, which Swift cannot call: this wrapper fixes
   the argument list. On success librdkafka owns `headers`; on failure the
   caller still owns them and must destroy them. */
static inline rd_kafka_resp_err_t cc_rd_kafka_produce(rd_kafka_t *rk,
                                                      const char *topic,
                                                      int32_t partition,
                                                      const void *payload, size_t payload_len,
                                                      const void *key, size_t key_len,
                                                      rd_kafka_headers_t *headers,
                                                      void *opaque) {
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_TOPIC(topic),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_VALUE((void *)payload, payload_len),
                             RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_OPAQUE(opaque),
                             RD_KAFKA_V_END);
}

#endif
