/* MEAN of int8/int16 tensors, bit-exact with TFLite Micro's QuantizedMeanOrSum (mb_reduce.h).
 *
 * Sums are 32-bit and wrap on overflow exactly as TFLite's (it adds "with expected overflow",
 * in unsigned arithmetic); only more than 2^16 int16 or 2^24 int8 inputs per mean can get there. */
#include <stdint.h>

#include "mb_kernels.h"
#include "mb_reduce.h"

static int32_t mean_of(const mb_mean_params *p, uint32_t sum, int32_t lo, int32_t hi) {
  /* TFLite subtracts count x zero point in 64 bits, then narrows to int32 */
  const int32_t centered = (int32_t)((int64_t)(int32_t)sum - (int64_t)p->input_zp * p->count);
  const int32_t v = mb_requantize(centered, p->mult, p->shift) + p->output_zp;
  return v < lo ? lo : v > hi ? hi : v;
}

/* One loop nest for both types: the outputs in order over the kept extents, then per output its
 * inputs in memory order over the reduced extents. The element stride of axis k is the product
 * of the full extents after it (outer x inner: one of the two is 1). */
#define MEAN_LOOP(T, LO, HI)                                                                     \
  const int32_t *o = p->outer, *r = p->inner;                                                     \
  const int32_t s2 = o[3] * r[3], s1 = s2 * o[2] * r[2], s0 = s1 * o[1] * r[1];                   \
  int32_t k = 0;                                                                                  \
  for (int32_t a0 = 0; a0 < o[0]; a0++)                                                           \
    for (int32_t a1 = 0; a1 < o[1]; a1++)                                                         \
      for (int32_t a2 = 0; a2 < o[2]; a2++)                                                       \
        for (int32_t a3 = 0; a3 < o[3]; a3++) {                                                   \
          uint32_t sum = 0;                                                                       \
          for (int32_t b0 = 0; b0 < r[0]; b0++)                                                   \
            for (int32_t b1 = 0; b1 < r[1]; b1++)                                                 \
              for (int32_t b2 = 0; b2 < r[2]; b2++) {                                             \
                const T *row = in + (a0 + b0) * s0 + (a1 + b1) * s1 + (a2 + b2) * s2 + a3;        \
                for (int32_t b3 = 0; b3 < r[3]; b3++) sum += (uint32_t)(int32_t)row[b3];          \
              }                                                                                   \
          out[k++] = (T)mean_of(p, sum, LO, HI);                                                  \
        }

void mb_mean_s8(const mb_mean_params *p, const int8_t *in, int8_t *out) {
  MEAN_LOOP(int8_t, INT8_MIN, INT8_MAX)
}

void mb_mean_s16(const mb_mean_params *p, const int16_t *in, int16_t *out) {
  MEAN_LOOP(int16_t, INT16_MIN, INT16_MAX)
}
