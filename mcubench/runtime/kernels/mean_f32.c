/* MEAN of float32 tensors: per output, the inputs added in float in memory order from 0, then
 * divided by their count converted to float; TFLite Micro's reference Mean (both its 4-D H/W path
 * and the generic one) adds and divides in exactly this order, so results are bit-exact. */
#include <stdint.h>

#include "mb_reduce.h"

void mb_mean_f32(const mb_mean_params *p, const float *in, float *out) {
  const int32_t *o = p->outer, *r = p->inner;
  const int32_t s2 = o[3] * r[3], s1 = s2 * o[2] * r[2], s0 = s1 * o[1] * r[1];
  const float count = (float)p->count;
  int32_t k = 0;
  for (int32_t a0 = 0; a0 < o[0]; a0++)
    for (int32_t a1 = 0; a1 < o[1]; a1++)
      for (int32_t a2 = 0; a2 < o[2]; a2++)
        for (int32_t a3 = 0; a3 < o[3]; a3++) {
          float sum = 0.0f;
          for (int32_t b0 = 0; b0 < r[0]; b0++)
            for (int32_t b1 = 0; b1 < r[1]; b1++)
              for (int32_t b2 = 0; b2 < r[2]; b2++) {
                const float *row = in + (a0 + b0) * s0 + (a1 + b1) * s1 + (a2 + b2) * s2 + a3;
                for (int32_t b3 = 0; b3 < r[3]; b3++) sum += row[b3];
              }
          out[k++] = sum / count;
        }
}
