/* int8 HARD_SWISH, bit-exact with TFLite's reference HardSwish on HardSwishParams: 16-bit fixed
 * point throughout. The input (less its zero point, times 2^7) is brought to the output scale by
 * one Q15 multiplier and, separately, mapped from [-3, 3] to a "relu-ish" factor in [0, 1] by
 * another; their truncating product is shifted to the output scale. Every step keeps TFLite's
 * int16 saturation and wrap-around, so results agree in every corner. */
#include <stdint.h>

#include "mb_activation.h"

static int16_t sat16(int64_t v) {
  return (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
}

/* gemmlowp SaturatingRoundingDoublingHighMul on int16: round(a * b / 2^15), -1 * -1 saturated. */
static int16_t rounding_high_mul16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * b;
  return (int16_t)((ab + (ab >= 0 ? (1 << 14) : 1 - (1 << 14))) / (1 << 15));
}

/* The same, truncating (TFLite's SaturatingDoublingHighMul): it cancels the rounding bias of the
 * two products above. */
static int16_t high_mul16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * b) / (1 << 15));
}

/* gemmlowp RoundingDivideByPOT on int16, 0 <= e <= 31: the mask is an int16 (all ones from e = 16
 * on), as in TFLite. */
static int16_t rounding_shift_right16(int16_t x, int32_t e) {
  const int16_t mask = (int16_t)(e >= 16 ? -1 : (1 << e) - 1);
  const int16_t remainder = (int16_t)(x & mask);
  const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
  return (int16_t)((x >> e) + (remainder > threshold ? 1 : 0));
}

void mb_hard_swish_s8(const mb_hard_swish_params *p, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    const int16_t hires = (int16_t)(((int32_t)in[i] - p->input_zero_point) * (1 << 7));
    const int16_t preshift_output = rounding_high_mul16(hires, p->output_multiplier_fixedpoint);
    /* the relu-ish factor: hires rescaled so that 3.0 is 2^15, saturating; the last left-shift
     * bit comes after the multiply so that only it can saturate */
    int16_t reluish = hires;
    if (p->reluish_multiplier_exponent > 0)
      reluish = sat16((int64_t)reluish * ((int64_t)1 << (p->reluish_multiplier_exponent - 1)));
    reluish = rounding_high_mul16(reluish, p->reluish_multiplier_fixedpoint);
    if (p->reluish_multiplier_exponent > 0) reluish = sat16((int64_t)reluish * 2);
    if (p->reluish_multiplier_exponent < 0)
      reluish = rounding_shift_right16(reluish, -p->reluish_multiplier_exponent);
    reluish = (int16_t)((reluish + (1 << 15)) >> 1); /* [-1, 1] -> [0, 1] */
    const int16_t preshift = high_mul16(reluish, preshift_output);
    int16_t v = rounding_shift_right16(preshift, -p->output_multiplier_exponent);
    v = (int16_t)(v + p->output_zero_point); /* int16 arithmetic, as TFLite */
    out[i] = (int8_t)(v > INT8_MAX ? INT8_MAX : v < INT8_MIN ? INT8_MIN : v);
  }
}
