/* int8 softmax, int8 output with scale 1/256 and zero point -128 (TFLite Micro's reference int8
 * softmax). exp() and 1/sum are computed in gemmlowp-style fixed point, step by step as TFLite
 * does, because any other approximation would differ in the last bit. Raw int32
 * values carry an implied format Qm.(31-m): "Q5.26" has 5 integer bits. */
#include <stdint.h>

#include "mb_kernels.h"

#define DIFF_INTEGER_BITS 5   /* input differences, after scaling by beta, in Q5.26 */
#define ACCUM_INTEGER_BITS 12 /* the sum of exps in Q12.19: room for 4096 terms of at most 1.0 */

/* x * 2^e for e > 0, saturating (gemmlowp SaturatingRoundingMultiplyByPOT, positive exponent). */
static int32_t sat_shift_left(int32_t x, int32_t e) {
  const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8. */
static int32_t exp_on_interval_neg_quarter_to_0(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8) in Q0.31 */
  const int32_t one_third = 715827883;             /* 1/3 in Q0.31 */
  const int32_t x = a + (1 << 28);                 /* x = a + 1/8 */
  const int32_t x2 = mb_doubling_high_mul(x, x);
  const int32_t x3 = mb_doubling_high_mul(x2, x);
  const int32_t x4 = mb_doubling_high_mul(x2, x2);
  const int32_t x4_over_4 = mb_rounding_shift_right(x4, 2);
  /* x^4/24 + x^3/6 + x^2/2 */
  const int32_t poly =
      mb_rounding_shift_right(mb_doubling_high_mul(x4_over_4 + x3, one_third) + x2, 1);
  /* exp(-1/8) * (1 + x + poly) */
  return exp_minus_one_eighth + mb_doubling_high_mul(exp_minus_one_eighth, x + poly);
}

/* exp(a) for a <= 0 in Q5.26, result in Q0.31: exp of (a mod 1/4) by the series, times exp(-2^k)
 * for every bit k set in the rest. */
static int32_t exp_on_negative_values(int32_t a) {
  static const int32_t exp_neg_pow2[7] = {
      1672461947, /* exp(-1/4) */
      1302514674, /* exp(-1/2) */
      790015084,  /* exp(-1) */
      290630308,  /* exp(-2) */
      39332535,   /* exp(-4) */
      720401,     /* exp(-8) */
      242,        /* exp(-16) */
  };
  const int32_t frac_bits = 31 - DIFF_INTEGER_BITS;
  const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
  const int32_t a_mod_quarter_minus_quarter = (a & (one_quarter - 1)) - one_quarter;
  /* a mod 1/4 - 1/4 lies in [-1/4, 0); rescale it from Q5.26 to Q0.31 */
  int32_t result = exp_on_interval_neg_quarter_to_0(
      sat_shift_left(a_mod_quarter_minus_quarter, DIFF_INTEGER_BITS));
  const int32_t remainder = a_mod_quarter_minus_quarter - a;
  for (int32_t k = 0; k < 7; k++) {
    if (remainder & ((int32_t)1 << (frac_bits - 2 + k))) {
      result = mb_doubling_high_mul(result, exp_neg_pow2[k]);
    }
  }
  return a == 0 ? INT32_MAX : result; /* exp(0) = 1, the largest Q0.31 value */
}

static int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 in; result in [1/2, 1] as Q0.31. Newton-Raphson, 3 steps. */
static int32_t one_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, INT32_MAX); /* (1 + a) / 2 */
  const int32_t c48_over_17 = 1515870810;      /* 48/17 in Q2.29 */
  const int32_t c_neg32_over_17 = -1010580540; /* -32/17 in Q2.29 */
  int32_t x = c48_over_17 + mb_doubling_high_mul(half_denominator, c_neg32_over_17); /* Q2.29 */
  for (int32_t i = 0; i < 3; i++) {
    const int32_t half_denominator_times_x = mb_doubling_high_mul(half_denominator, x);
    const int32_t one_minus = (1 << 29) - half_denominator_times_x;             /* Q2.29 */
    x = x + sat_shift_left(mb_doubling_high_mul(x, one_minus), 2);             /* Q4 -> Q2 */
  }
  return sat_shift_left(x, 1); /* x / 2 in Q1.30, read as Q0.31 */
}

static int32_t count_leading_zeros(uint32_t x) {
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
}

/* The input difference scaled by beta * input_scale into Q5.26. diff_min guarantees the shift
 * cannot overflow: |diff| * 2^left_shift < 2^31. */
static int32_t scale_diff(const mb_softmax_params *p, int32_t diff) {
  return mb_doubling_high_mul(diff * ((int32_t)1 << p->input_left_shift), p->input_multiplier);
}

void mb_softmax_s8(const mb_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in,
                   int8_t *out) {
  for (int32_t r = 0; r < rows; r++) {
    const int8_t *x = in + r * depth;
    int8_t *y = out + r * depth;
    int32_t max = INT8_MIN;
    for (int32_t c = 0; c < depth; c++) max = x[c] > max ? x[c] : max;

    int32_t sum_of_exps = 0; /* Q12.19 */
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      if (diff >= p->diff_min) {
        const int32_t e = exp_on_negative_values(scale_diff(p, diff));
        sum_of_exps += mb_rounding_shift_right(e, ACCUM_INTEGER_BITS); /* Q0.31 -> Q12.19 */
      }
    }

    /* 1 / sum: normalize the sum to [1, 2), take 1/(1 + f), shift back by the normalization. */
    const int32_t headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps);
    const int32_t num_bits_over_unit = ACCUM_INTEGER_BITS - headroom_plus_one;
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - ((uint32_t)1 << 31));
    const int32_t shifted_scale = one_over_one_plus_x(shifted_sum_minus_one);

    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      int32_t v = INT8_MIN;
      if (diff >= p->diff_min) {
        const int32_t e = exp_on_negative_values(scale_diff(p, diff));
        /* e / sum in Q0.31, down to 8 fractional bits: output scale 1/256. */
        const int32_t unsat = mb_rounding_shift_right(mb_doubling_high_mul(shifted_scale, e),
                                                      num_bits_over_unit + 31 - 8);
        v = unsat + INT8_MIN;
        v = v < INT8_MIN ? INT8_MIN : v;
        v = v > INT8_MAX ? INT8_MAX : v;
      }
      y[c] = (int8_t)v;
    }
  }
}
