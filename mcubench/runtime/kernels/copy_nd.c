/* One N-dimensional strided copy for every data movement operator (mb_movement.h).
 *
 * The trailing dimensions that are contiguous in both buffers fold into one block copied with
 * memcpy, so a SPLIT, CONCATENATION or PAD moves whole rows at once; what stays is a line of
 * blocks (or of single elements, e.g. a TRANSPOSE of the last axis) walked by an odometer over the
 * outer dimensions. Offsets are kept as integers so a negative step never forms a pointer outside
 * the buffers.
 */
#include <stdint.h>
#include <string.h>

#include "mb_movement.h"

/* n elements `step_in` / `step_out` bytes apart; a constant-size memcpy is one load and store. */
static void copy_line(int32_t n, int32_t elem, const uint8_t *src, int32_t step_in, uint8_t *dst,
                      int32_t step_out) {
  int32_t i = 0, o = 0;
  switch (elem) {
  case 1:
    for (int32_t k = 0; k < n; k++, i += step_in, o += step_out) dst[o] = src[i];
    break;
  case 2:
    for (int32_t k = 0; k < n; k++, i += step_in, o += step_out) memcpy(dst + o, src + i, 2);
    break;
  case 4:
    for (int32_t k = 0; k < n; k++, i += step_in, o += step_out) memcpy(dst + o, src + i, 4);
    break;
  default:
    for (int32_t k = 0; k < n; k++, i += step_in, o += step_out)
      memcpy(dst + o, src + i, (size_t)elem);
    break;
  }
}

void mb_copy_nd(const mb_copy_nd_params *p, const void *in, void *out) {
  const uint8_t *src = (const uint8_t *)in + p->in_offset;
  uint8_t *dst = (uint8_t *)out + p->out_offset;
  int32_t rank = p->rank, block = p->elem_bytes;
  for (int32_t d = 0; d < rank; d++)
    if (p->shape[d] <= 0) return; /* an empty box */
  /* fold trailing dimensions laid out densely in both buffers (or of size 1) into one block */
  while (rank > 0 && (p->shape[rank - 1] == 1 ||
                      (p->in_step[rank - 1] == block && p->out_step[rank - 1] == block)))
    block *= p->shape[--rank];
  if (rank == 0) {
    memcpy(dst, src, (size_t)block);
    return;
  }
  const int32_t n = p->shape[rank - 1], step_in = p->in_step[rank - 1];
  const int32_t step_out = p->out_step[rank - 1];
  int32_t idx[MB_MOVE_MAX_DIMS] = {0};
  int32_t i = 0, o = 0; /* byte offsets of the current line */
  for (;;) {
    if (block == p->elem_bytes) {
      copy_line(n, block, src + i, step_in, dst + o, step_out);
    } else {
      for (int32_t k = 0; k < n; k++) memcpy(dst + o + k * step_out, src + i + k * step_in,
                                             (size_t)block);
    }
    int32_t d = rank - 2; /* next line: advance the outer dimensions like an odometer */
    for (; d >= 0; d--) {
      if (++idx[d] < p->shape[d]) {
        i += p->in_step[d];
        o += p->out_step[d];
        break;
      }
      i -= p->in_step[d] * (p->shape[d] - 1);
      o -= p->out_step[d] * (p->shape[d] - 1);
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

void mb_fill(int32_t count, int32_t elem_bytes, const void *value, void *out) {
  const uint8_t *v = (const uint8_t *)value;
  uint8_t *dst = (uint8_t *)out;
  int32_t same = 1; /* one repeated byte (0, 0.0f, an int8 zero point): memset */
  for (int32_t b = 1; b < elem_bytes; b++) same &= v[b] == v[0];
  if (same) {
    memset(dst, v[0], (size_t)count * (size_t)elem_bytes);
    return;
  }
  for (int32_t k = 0; k < count; k++) memcpy(dst + k * elem_bytes, v, (size_t)elem_bytes);
}
