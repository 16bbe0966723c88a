// LZ4 block compression (liblz4-dev, installed by scripts/bootstrap; librdkafka depends on it too).
#include <lz4.h>
