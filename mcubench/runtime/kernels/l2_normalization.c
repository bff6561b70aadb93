/* int8 L2_NORMALIZATION (mb_l2_normalization.h), TFLite Micro's integer L2Normalization: per row
 * the int32 sum of squared differences to the zero point, its inverse square root as a quantized
 * multiplier (GetInvSqrtQuantizedMultiplierExp), and each difference requantized by it into 1/128
 * steps, clamped. */
#include <stdint.h>

#include "mb_fixedpoint.h"
#include "mb_kernels.h" /* mb_requantize, mb_doubling_high_mul */
#include "mb_l2_normalization.h"

#define OUTPUT_SCALE_BITS 7 /* outputs in 1/128 steps */

static int32_t count_leading_zeros(uint32_t x) {
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) x <<= 1, n++;
  return n;
}

/* 1/sqrt(input) as mult * 2^shift (mult Q0.31): the input normalized to [2^27, 2^29) by pairs of
 * bits, five Newton-Raphson steps x = 3/2 x - input/2 x^3 from x = 1 in Q3.28, times sqrt(2)/2. */
static void inv_sqrt(int32_t input, int32_t *mult, int32_t *shift) {
  if (input <= 1) { /* 0 and 1 alike, as TFLite (0 would divide by zero) */
    *mult = INT32_MAX, *shift = 0;
    return;
  }
  int32_t s = 11;
  while (input >= (1 << 29)) input /= 4, s++;
  const int32_t pairs = (count_leading_zeros((uint32_t)input) - 1) / 2 - 1;
  s -= pairs;
  input <<= 2 * pairs;
  const int32_t half_input = mb_fp_mul_pot(input >> 1, -1); /* Q3.28 */
  const int32_t half_three = (1 << 28) + (1 << 27);        /* 1.5 in Q3.28 */
  int32_t x = 1 << 28;                                     /* 1.0 in Q3.28 */
  for (int32_t i = 0; i < 5; i++) {
    const int32_t x3 = mb_fp_mul_pot(mb_doubling_high_mul(mb_doubling_high_mul(x, x), x), 6);
    const int32_t next = (int32_t)((uint32_t)mb_doubling_high_mul(half_three, x) -
                                   (uint32_t)mb_doubling_high_mul(half_input, x3));
    x = mb_fp_mul_pot(next, 3); /* Q6.25 -> Q3.28 */
  }
  x = mb_doubling_high_mul(x, 1518500250); /* sqrt(2) / 2 in Q0.31 */
  if (s < 0) x = (int32_t)((uint32_t)x << -s), s = 0;
  *mult = x, *shift = -s; /* TFLite's right shift as a left one */
}

void mb_l2_normalization_s8(const mb_l2_normalization_params *p, const int8_t *in, int8_t *out) {
  const int32_t depth = p->depth;
  for (int32_t r = 0; r < p->rows; r++) {
    const int8_t *x = in + r * depth;
    int8_t *y = out + r * depth;
    uint32_t acc = 0; /* wraps as TFLite's int32 sum would, past 2^15 values per row */
    for (int32_t c = 0; c < depth; c++) {
      const int32_t d = (int32_t)x[c] - p->input_zp;
      acc += (uint32_t)(d * d);
    }
    int32_t mult, shift;
    inv_sqrt((int32_t)acc, &mult, &shift);
    for (int32_t c = 0; c < depth; c++) {
      int32_t v = mb_requantize((int32_t)x[c] - p->input_zp, mult, shift + OUTPUT_SCALE_BITS);
      y[c] = (int8_t)(v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v);
    }
  }
}
