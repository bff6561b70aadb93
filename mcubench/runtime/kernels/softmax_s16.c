/* int16 softmax (TFLite Micro's SoftmaxInt16): int16 in, int16 out with scale 1/32768 and zero
 * point 0. exp(x - max) and 1/sum come from the two interpolated lookup tables of the params
 * (generated offline by the aot backend, at setup by the interpreter), every step in TFLite's
 * integer arithmetic so that the last bit agrees. */
#include <stdint.h>

#include "mb_kernels_s16.h"

/* A 513-entry Q0.15 table over int16 inputs: 512 segments of 128 codes, linear in between. */
static int16_t lut_lookup(int16_t value, const int16_t *lut) {
  const int32_t index = 256 + (value >> 7); /* >> of a negative int is arithmetic (GCC, Clang) */
  const int32_t offset = value & 0x7f;
  const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
  return (int16_t)(lut[index] + ((slope * offset + 64) >> 7));
}

static int32_t clamp16(int32_t x, int32_t lo) {
  return x < lo ? lo : (x > 32767 ? 32767 : x);
}

static uint32_t leading_zeros(uint32_t x) {
  uint32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) x <<= 1, n++;
  return n;
}

void mb_softmax_s16(const mb_softmax_s16_params *p, int32_t rows, int32_t depth,
                    const int16_t *in, int16_t *out) {
  for (int32_t r = 0; r < rows; r++) {
    const int16_t *x = in + r * depth;
    int16_t *y = out + r * depth; /* holds the exps until the sum is known */
    int16_t max = INT16_MIN;
    for (int32_t c = 0; c < depth; c++) max = x[c] > max ? x[c] : max;

    int32_t sum = 0; /* Q16.15 */
    for (int32_t c = 0; c < depth; c++) {
      /* x - max in [-65535, 0] scaled onto [-10, 0], recentred onto the table's int16 input */
      const int32_t scaled = mb_requantize((int32_t)x[c] - max, p->input_multiplier,
                                           p->input_left_shift);
      y[c] = lut_lookup((int16_t)clamp16(scaled + 32767, -32768), p->exp_lut);
      sum += y[c];
    }

    /* 1/sum: sum normalized to [1, 2) in Q1.15 (headroom from the leading zeros), minus one and
     * recentred for the 1/(1+x) table */
    const uint32_t headroom_plus_one = leading_zeros((uint32_t)sum);
    const int32_t shifted =
        (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    const int16_t recip = lut_lookup((int16_t)clamp16(shifted - ((1 << 15) + (1 << 16)), -32768),
                                     p->one_over_one_plus_x_lut);

    const int32_t right_shift = 31 - (int32_t)headroom_plus_one;
    const int64_t round = (int64_t)1 << (right_shift - 1);
    for (int32_t c = 0; c < depth; c++) {
      const int32_t v = (int32_t)(((int64_t)y[c] * recip + round) >> right_shift);
      y[c] = (int16_t)clamp16(v, 0);
    }
  }
}
