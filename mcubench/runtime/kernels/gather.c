/* GATHER (mb_gather.h): for each batch, outer position and coordinate, the slice at that
 * coordinate along the axis, copied byte for byte (TFLite Micro's Gather). */
#include <stdint.h>

#include "mb_gather.h"

int32_t mb_gather(const mb_gather_params *p, const void *in, const int32_t *coords, void *out) {
  const uint8_t *x = (const uint8_t *)in;
  uint8_t *y = (uint8_t *)out;
  const int32_t n = p->inner_bytes;
  for (int32_t b = 0; b < p->batch; b++)
    for (int32_t o = 0; o < p->outer; o++)
      for (int32_t c = 0; c < p->coords; c++) {
        const int32_t at = coords[b * p->coords + c];
        if (at < 0 || at >= p->extent) return MB_ERR_INDEX;
        const uint8_t *src = x + ((b * p->outer + o) * p->extent + at) * n;
        uint8_t *dst = y + ((b * p->outer + o) * p->coords + c) * n;
        for (int32_t k = 0; k < n; k++) dst[k] = src[k];
      }
  return 0;
}
