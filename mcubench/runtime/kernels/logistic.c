/* int8 LOGISTIC, bit-exact with TFLite Micro's reference integer kernel: the input, less its zero
 * point, is rescaled to Q4.27 and run through gemmlowp's fixed-point logistic; the Q0.31 result is
 * rounded to 8 fractional bits (output scale 1/256, zero point -128). Inputs at least
 * input_range_radius from the zero point saturate, which also keeps the rescale from overflowing.
 *
 * Also holds gemmlowp's exp on negative values for any number of integer bits (TANH uses 5).
 * Raw int32 values carry an implied format Qm.(31-m). */
#include <stdint.h>

#include "mb_activation.h"
#include "mb_kernels.h"

/* x * 2^e for 0 < e < 31, saturating (gemmlowp SaturatingRoundingMultiplyByPOT, e > 0). */
static int32_t sat_shift_left(int32_t x, int32_t e) {
  const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8. */
static int32_t exp_neg_quarter_to_0(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8) in Q0.31 */
  const int32_t one_third = 715827883;             /* 1/3 in Q0.31 */
  const int32_t x = a + (1 << 28);                 /* x = a + 1/8 */
  const int32_t x2 = mb_doubling_high_mul(x, x);
  const int32_t x3 = mb_doubling_high_mul(x2, x);
  const int32_t x4 = mb_doubling_high_mul(x2, x2);
  const int32_t x4_over_4 = mb_rounding_shift_right(x4, 2);
  const int32_t poly = /* x^4/24 + x^3/6 + x^2/2 */
      mb_rounding_shift_right(mb_doubling_high_mul(x4_over_4 + x3, one_third) + x2, 1);
  return exp_minus_one_eighth + mb_doubling_high_mul(exp_minus_one_eighth, x + poly);
}

int32_t mb_exp_on_negative_values(int32_t a, int32_t integer_bits) {
  /* exp(-2^k) in Q0.31 for k = -2..4 */
  static const int32_t exp_neg_pow2[7] = {1672461947, 1302514674, 790015084, 290630308,
                                          39332535,   720401,     242};
  const int32_t frac_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
  const int32_t a_mod_quarter_minus_quarter = (a & (one_quarter - 1)) - one_quarter;
  /* exp of the part in [-1/4, 0) by the series (rescaled to Q0.31), then one factor exp(-2^k)
   * for every bit k of the rest that the input format can hold */
  int32_t result = exp_neg_quarter_to_0(sat_shift_left(a_mod_quarter_minus_quarter, integer_bits));
  const int32_t remainder = a_mod_quarter_minus_quarter - a;
  for (int32_t k = -2; k <= 4 && k < integer_bits; k++) {
    if (remainder & ((int32_t)1 << (frac_bits + k)))
      result = mb_doubling_high_mul(result, exp_neg_pow2[k + 2]);
  }
  if (integer_bits > 5 && a < -((int32_t)1 << (36 - integer_bits))) result = 0; /* below -32 */
  return a == 0 ? INT32_MAX : result; /* exp(0) = 1, the largest Q0.31 value */
}

static int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* 1 / (1 + a) for a in [0, 1], Q0.31 in and out: Newton-Raphson in Q2.29, 3 steps. */
static int32_t one_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, INT32_MAX); /* (1 + a) / 2 */
  /* 48/17 - 32/17 d in Q2.29, the usual first estimate */
  int32_t x = 1515870810 + mb_doubling_high_mul(half_denominator, -1010580540);
  for (int32_t i = 0; i < 3; i++) {
    const int32_t one_minus = (1 << 29) - mb_doubling_high_mul(half_denominator, x);
    x = x + sat_shift_left(mb_doubling_high_mul(x, one_minus), 2); /* Q4.27 -> Q2.29 */
  }
  return sat_shift_left(x, 1); /* x / 2 (Q1.30) read as Q0.31 */
}

/* gemmlowp logistic of a Q4.27 value, Q0.31 out: computed on -|a| and mirrored for a < 0. */
static int32_t logistic_q4(int32_t a) {
  if (a == 0) return 1 << 30; /* 1/2 */
  const int32_t abs_a = a > 0 ? a : -a;
  const int32_t positive = one_over_one_plus_x(mb_exp_on_negative_values(-abs_a, 4));
  return a > 0 ? positive : INT32_MAX - positive;
}

void mb_logistic_s8(const mb_logistic_params *p, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    const int32_t x = (int32_t)in[i] - p->input_zero_point;
    int32_t v;
    if (x <= -p->input_range_radius) {
      v = INT8_MIN;
    } else if (x >= p->input_range_radius) {
      v = INT8_MAX;
    } else {
      const int32_t q4 = mb_requantize(x, p->input_multiplier, p->input_left_shift);
      v = mb_rounding_shift_right(logistic_q4(q4), 31 - 8) + INT8_MIN;
      v = v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
    }
    out[i] = (int8_t)v;
  }
}
