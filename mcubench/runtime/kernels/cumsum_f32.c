/* CUMSUM of float32 tensors (mb_cumsum.h): along the axis (backwards if reverse) a float sum from
 * 0, the sum before (exclusive) or after (inclusive) each input written, TFLite Micro's order. */
#include <stdint.h>

#include "mb_cumsum.h"

void mb_cumsum_f32(const mb_cumsum_params *p, const float *in, float *out) {
  const int32_t extent = p->extent, inner = p->inner;
  for (int32_t o = 0; o < p->outer; o++)
    for (int32_t i = 0; i < inner; i++) {
      const int32_t base = o * extent * inner + i;
      float acc = 0.0f;
      for (int32_t a = 0; a < extent; a++) {
        const int32_t at = base + (p->reverse ? extent - 1 - a : a) * inner;
        const float x = in[at]; /* in == out is allowed */
        if (p->exclusive) {
          out[at] = acc;
          acc = acc + x;
        } else {
          acc = acc + x;
          out[at] = acc;
        }
      }
    }
}
