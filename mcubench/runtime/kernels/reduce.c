/* MEAN and SUM of int8/int16 tensors, bit-exact with TFLite Micro's QuantizedMeanOrSum
 * (mb_reduce.h): the two differ only in their prepared multiplier.
 *
 * Sums are 32-bit and wrap on overflow exactly as TFLite's; only more than 2^16 int16 or 2^24 int8
 * inputs per output can get there. */
#include <stdint.h>

#include "mb_kernels.h" /* mb_requantize */
#include "mb_reduce.h"

static int32_t requantized(const mb_reduce_params *p, uint32_t sum, int32_t lo, int32_t hi) {
  /* TFLite subtracts count x zero point in 64 bits, then narrows to int32 */
  const int32_t centered = (int32_t)((int64_t)(int32_t)sum - (int64_t)p->input_zp * p->count);
  const int32_t v = mb_requantize(centered, p->mult, p->shift) + p->output_zp;
  return v < lo ? lo : v > hi ? hi : v;
}

void mb_reduce_sum_s8(const mb_reduce_params *p, const int8_t *in, int8_t *out) {
  MB_REDUCE_LOOP(p, int8_t, uint32_t, 0, acc += (uint32_t)(int32_t)v,
                 out[k] = (int8_t)requantized(p, acc, INT8_MIN, INT8_MAX))
}

void mb_reduce_sum_s16(const mb_reduce_params *p, const int16_t *in, int16_t *out) {
  MB_REDUCE_LOOP(p, int16_t, uint32_t, 0, acc += (uint32_t)(int32_t)v,
                 out[k] = (int16_t)requantized(p, acc, INT16_MIN, INT16_MAX))
}
