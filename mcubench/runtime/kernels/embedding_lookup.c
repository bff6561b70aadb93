/* EMBEDDING_LOOKUP (mb_gather.h): the rows the lookup names, copied byte for byte, or for int8 ->
 * float32 (TFLite Micro's hybrid path) dequantized as its Dequantize: (value - 0) x scale. */
#include <stdint.h>

#include "mb_gather.h"

int32_t mb_embedding_lookup(const mb_embedding_lookup_params *p, const int32_t *lookup,
                            const void *value, void *out) {
  const int32_t cols = p->columns, row_bytes = cols * p->elem_bytes;
  for (int32_t i = 0; i < p->lookups; i++) {
    const int32_t row = lookup[i];
    if (row < 0 || row >= p->rows) return MB_ERR_INDEX;
    if (p->dequantize) {
      const int8_t *src = (const int8_t *)value + row * cols;
      float *dst = (float *)out + i * cols;
      for (int32_t k = 0; k < cols; k++) dst[k] = (float)src[k] * p->scale;
    } else {
      const uint8_t *src = (const uint8_t *)value + row * row_bytes;
      uint8_t *dst = (uint8_t *)out + i * row_bytes;
      for (int32_t k = 0; k < row_bytes; k++) dst[k] = src[k];
    }
  }
  return 0;
}
