/* int8 softmax (TFLite Micro's reference quantized Softmax): int8 output with scale 1/256 and zero
 * point -128, or int16 output with scale 1/65536 and zero point -32768. exp() and 1/sum are
 * gemmlowp's fixed point (mb_fixedpoint.h), step by step as TFLite does, because any other
 * approximation would differ in the last bit. */
#include <stdint.h>

#include "mb_fixedpoint.h"
#include "mb_kernels.h"

#define DIFF_INTEGER_BITS 5   /* input differences, after scaling by beta, in Q5.26 */
#define ACCUM_INTEGER_BITS 12 /* the sum of exps in Q12.19: room for 4096 terms of at most 1.0 */

/* exp of the input difference scaled by beta * input_scale into Q5.26. diff_min guarantees the
 * shift cannot overflow: |diff| * 2^left_shift < 2^31. */
static int32_t exp_of_diff(const mb_softmax_params *p, int32_t diff) {
  const int32_t scaled =
      mb_doubling_high_mul(diff * ((int32_t)1 << p->input_left_shift), p->input_multiplier);
  return mb_fp_exp_on_negative_values(scaled, DIFF_INTEGER_BITS);
}

/* One row into `bits` fractional bits of output, plus LO (the output's zero point), clamped. */
#define SOFTMAX_ROWS(T, BITS, LO, HI)                                                            \
  for (int32_t r = 0; r < rows; r++) {                                                           \
    const int8_t *x = in + r * depth;                                                            \
    T *y = out + r * depth;                                                                      \
    int32_t max = INT8_MIN;                                                                      \
    for (int32_t c = 0; c < depth; c++) max = x[c] > max ? x[c] : max;                           \
    int32_t sum_of_exps = 0; /* Q12.19 */                                                        \
    for (int32_t c = 0; c < depth; c++) {                                                        \
      const int32_t diff = (int32_t)x[c] - max;                                                  \
      if (diff >= p->diff_min)                                                                   \
        sum_of_exps += mb_rounding_shift_right(exp_of_diff(p, diff), ACCUM_INTEGER_BITS);        \
    }                                                                                            \
    int32_t bits_over_unit;                                                                      \
    const int32_t scale = mb_fp_reciprocal(sum_of_exps, ACCUM_INTEGER_BITS, &bits_over_unit);   \
    for (int32_t c = 0; c < depth; c++) {                                                        \
      const int32_t diff = (int32_t)x[c] - max;                                                  \
      int32_t v = LO;                                                                            \
      if (diff >= p->diff_min) {                                                                 \
        /* e / sum in Q0.31, down to BITS fractional bits */                                     \
        v = mb_rounding_shift_right(mb_doubling_high_mul(scale, exp_of_diff(p, diff)),           \
                                    bits_over_unit + 31 - BITS) + LO;                            \
        v = v < LO ? LO : v > HI ? HI : v;                                                       \
      }                                                                                          \
      y[c] = (T)v;                                                                               \
    }                                                                                            \
  }

void mb_softmax_s8(const mb_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in,
                   int8_t *out) {
  SOFTMAX_ROWS(int8_t, 8, INT8_MIN, INT8_MAX)
}

void mb_softmax_s8_s16(const mb_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in,
                       int16_t *out) {
  SOFTMAX_ROWS(int16_t, 16, INT16_MIN, INT16_MAX)
}
