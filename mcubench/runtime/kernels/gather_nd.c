/* GATHER_ND (mb_gather.h): each index row's components times the strides of the axes they index
 * give a flat position; the slice there is copied byte for byte. As TFLite Micro's GatherNd, only
 * the slice as a whole must lie inside the data (not every component inside its axis). */
#include <stdint.h>

#include "mb_gather.h"

int32_t mb_gather_nd(const mb_gather_nd_params *p, const void *in, const int32_t *indices,
                     void *out) {
  const uint8_t *x = (const uint8_t *)in;
  uint8_t *y = (uint8_t *)out;
  const int32_t n = p->slice_elems * p->elem_bytes;
  for (int32_t s = 0; s < p->slices; s++) {
    int64_t from = 0; /* 64 bits: no index value can wrap it back inside */
    for (int32_t j = 0; j < p->depth; j++)
      from += (int64_t)indices[s * p->depth + j] * p->stride[j];
    if (from < 0 || from + p->slice_elems > p->flat) return MB_ERR_INDEX;
    const uint8_t *src = x + (int32_t)from * p->elem_bytes;
    for (int32_t k = 0; k < n; k++) y[s * n + k] = src[k];
  }
  return 0;
}
