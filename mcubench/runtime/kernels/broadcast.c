/* Broadcast iteration shared by the binary element-wise kernels (mb_binary.h): the loop nest is
 * reduced once, when the operator is prepared, so that invoke only walks rows. */
#include <stdint.h>

#include "mb_binary.h"

int mb_broadcast_init(mb_broadcast *b, int32_t rank1, const int32_t *shape1, int32_t rank2,
                      const int32_t *shape2, int32_t out_rank, const int32_t *out_shape) {
  if (rank1 < 0 || rank2 < 0 || rank1 > out_rank || rank2 > out_rank ||
      out_rank > MB_BROADCAST_DIMS)
    return -1;
  /* Loops innermost first while they are collected, reversed at the end. */
  int32_t shape[MB_BROADCAST_DIMS], s1[MB_BROADCAST_DIMS], s2[MB_BROADCAST_DIMS];
  int32_t loops = 0, acc1 = 1, acc2 = 1;
  for (int32_t k = out_rank - 1; k >= 0; k--) {
    const int32_t o = out_shape[k];
    const int32_t d1 = k >= out_rank - rank1 ? shape1[k - (out_rank - rank1)] : 1;
    const int32_t d2 = k >= out_rank - rank2 ? shape2[k - (out_rank - rank2)] : 1;
    if (o < 1 || (d1 != o && d1 != 1) || (d2 != o && d2 != 1) || (d1 != o && d2 != o))
      return -1;
    const int32_t step1 = d1 == 1 ? 0 : acc1, step2 = d2 == 1 ? 0 : acc2;
    acc1 *= d1;
    acc2 *= d2;
    if (o == 1) continue; /* no loop at all */
    /* Merge into the inner loop when this one continues where it ends, for both inputs. */
    if (loops > 0 && step1 == s1[loops - 1] * shape[loops - 1] &&
        step2 == s2[loops - 1] * shape[loops - 1]) {
      shape[loops - 1] *= o;
      continue;
    }
    shape[loops] = o, s1[loops] = step1, s2[loops] = step2;
    loops++;
  }
  if (loops == 0) shape[0] = 1, s1[0] = 0, s2[0] = 0, loops = 1; /* one element */
  b->rank = loops;
  for (int32_t k = 0; k < MB_BROADCAST_DIMS; k++) {
    const int32_t from = loops - 1 - k;
    b->shape[k] = k < loops ? shape[from] : 1;
    b->stride1[k] = k < loops ? s1[from] : 0;
    b->stride2[k] = k < loops ? s2[from] : 0;
  }
  return 0;
}

void mb_broadcast_rows(const mb_broadcast *b, int32_t elem_bytes, const void *params,
                       const void *in1, const void *in2, void *out, mb_binary_row row) {
  const int32_t last = b->rank - 1, n = b->shape[last];
  const uint8_t *x1 = (const uint8_t *)in1, *x2 = (const uint8_t *)in2;
  uint8_t *y = (uint8_t *)out;
  int32_t idx[MB_BROADCAST_DIMS];
  for (int32_t k = 0; k < MB_BROADCAST_DIMS; k++) idx[k] = 0;
  int32_t off1 = 0, off2 = 0; /* element offsets of the current row's start */
  for (;;) {
    row(params, n, x1 + off1 * elem_bytes, b->stride1[last], x2 + off2 * elem_bytes,
        b->stride2[last], y);
    y += n * elem_bytes;
    /* Odometer over the outer loops: step the innermost one that has not wrapped. */
    int32_t d = last - 1;
    for (; d >= 0; d--) {
      off1 += b->stride1[d], off2 += b->stride2[d];
      if (++idx[d] < b->shape[d]) break;
      off1 -= b->stride1[d] * b->shape[d], off2 -= b->stride2[d] * b->shape[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}
