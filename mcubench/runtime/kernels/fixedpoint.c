/* gemmlowp's fixed-point exp, 1/(1+x) and log (mb_fixedpoint.h), step by step as TFLite Micro's
 * reference kernels run them: any other approximation would differ in the last bit. Raw sums wrap
 * as gemmlowp's int32 additions do (unsigned arithmetic keeps that defined in C). */
#include <stdint.h>

#include "mb_fixedpoint.h"
#include "mb_kernels.h" /* mb_doubling_high_mul, mb_rounding_shift_right */

#define MUL mb_doubling_high_mul

static int32_t add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static int32_t sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

int32_t mb_fp_mul_pot(int32_t x, int32_t e) {
  if (e < 0) return mb_rounding_shift_right(x, -e);
  if (e == 0) return x;
  const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8. */
static int32_t exp_neg_quarter_to_0(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8) in Q0.31 */
  const int32_t one_third = 715827883;             /* 1/3 in Q0.31 */
  const int32_t x = add(a, 1 << 28);               /* x = a + 1/8 */
  const int32_t x2 = MUL(x, x), x3 = MUL(x2, x), x4 = MUL(x2, x2);
  const int32_t x4_over_4 = mb_rounding_shift_right(x4, 2);
  const int32_t poly = /* x^4/24 + x^3/6 + x^2/2 */
      mb_rounding_shift_right(add(MUL(add(x4_over_4, x3), one_third), x2), 1);
  return add(exp_minus_one_eighth, MUL(exp_minus_one_eighth, add(x, poly)));
}

int32_t mb_fp_exp_on_negative_values(int32_t a, int32_t integer_bits) {
  /* exp(-2^k) in Q0.31 for k = -2..4 */
  static const int32_t exp_neg_pow2[7] = {1672461947, 1302514674, 790015084, 290630308,
                                          39332535,   720401,     242};
  const int32_t frac_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
  const int32_t a_mod_quarter_minus_quarter = sub(a & (one_quarter - 1), one_quarter);
  /* exp of the part in [-1/4, 0) by the series (rescaled to Q0.31), then one factor exp(-2^k)
   * for every bit k of the rest that the input format holds */
  int32_t result = exp_neg_quarter_to_0(mb_fp_mul_pot(a_mod_quarter_minus_quarter, integer_bits));
  const int32_t remainder = sub(a_mod_quarter_minus_quarter, a);
  for (int32_t k = -2; k <= 4 && k < integer_bits; k++)
    if (remainder & ((int32_t)1 << (frac_bits + k))) result = MUL(result, exp_neg_pow2[k + 2]);
  if (integer_bits > 5 && a < -((int32_t)1 << (36 - integer_bits))) result = 0; /* below -32 */
  return a == 0 ? INT32_MAX : result; /* exp(0) = 1, the largest Q0.31 value */
}

static int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

int32_t mb_fp_one_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, INT32_MAX); /* (1 + a) / 2 */
  /* 48/17 - 32/17 d in Q2.29, the usual first estimate; three Newton-Raphson steps */
  int32_t x = add(1515870810, MUL(half_denominator, -1010580540));
  for (int32_t i = 0; i < 3; i++) {
    const int32_t one_minus = sub(1 << 29, MUL(half_denominator, x));
    x = add(x, mb_fp_mul_pot(MUL(x, one_minus), 2)); /* Q4.27 -> Q2.29 */
  }
  return mb_fp_mul_pot(x, 1); /* x / 2 (Q1.30) read as Q0.31 */
}

static int32_t count_leading_zeros(uint32_t x) {
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) x <<= 1, n++;
  return n;
}

int32_t mb_fp_log_x_ge_1(int32_t x, int32_t in_bits, int32_t out_bits) {
  const int32_t acc_bits = out_bits + 1; /* a bit of headroom for the sum at the end */
  const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
  const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769;
  const int32_t alpha_f = 638450708;
  const int32_t shifted_quarter = mb_fp_mul_pot(536870912, -acc_bits); /* 1/4 in Q acc_bits */
  /* x = r * 2^z with r in [sqrt(1/2), sqrt(2)), found two ways (from x and from x sqrt(1/2)) */
  const int32_t z_a_headroom_plus_1 = count_leading_zeros((uint32_t)x);
  const int32_t r_a_tmp = mb_fp_mul_pot(x, z_a_headroom_plus_1 - 1);
  const int32_t r_a = mb_fp_mul_pot(MUL(r_a_tmp, sqrt_half), 1);
  int64_t sum = (int64_t)mb_fp_mul_pot(in_bits - z_a_headroom_plus_1, 31 - acc_bits) +
                shifted_quarter; /* saturating */
  const int32_t z_a_pow_2_adj =
      (int32_t)(sum > INT32_MAX ? INT32_MAX : sum < INT32_MIN ? INT32_MIN : sum);
  const int32_t z_b = MUL(x, sqrt_half);
  const int32_t z_b_headroom = count_leading_zeros((uint32_t)z_b) - 1;
  const int32_t r_b = mb_fp_mul_pot(x, z_b_headroom);
  sum = (int64_t)mb_fp_mul_pot(in_bits - z_b_headroom, 31 - acc_bits) - shifted_quarter;
  const int32_t z_b_pow_2_adj =
      (int32_t)(sum > INT32_MAX ? INT32_MAX : sum < INT32_MIN ? INT32_MIN : sum);
  const int32_t r = r_a < r_b ? r_a : r_b;
  const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;
  /* log(r) by a rational function of q = 2 (r - sqrt(sqrt(1/2))) */
  const int32_t p = rounding_half_sum(r, sqrt_sqrt_half);
  int32_t q = sub(r, sqrt_sqrt_half);
  q = add(q, q);
  const int32_t common_sq = MUL(q, q);
  const int32_t num = add(MUL(q, r), MUL(MUL(q, common_sq), alpha_n));
  const int32_t denom_minus_one =
      add(MUL(p, add(add(alpha_i, q), MUL(alpha_d, common_sq))), MUL(alpha_f, q));
  const int32_t recip_denom = mb_fp_one_over_one_plus_x(denom_minus_one);
  const int32_t num_scaled = mb_fp_mul_pot(num, -acc_bits);
  return mb_fp_mul_pot(add(MUL(z_pow_2_adj, log_2), MUL(num_scaled, recip_denom)),
                       acc_bits - out_bits);
}

int32_t mb_fp_reciprocal(int32_t x, int32_t integer_bits, int32_t *bits_over_unit) {
  const int32_t headroom_plus_one = count_leading_zeros((uint32_t)x);
  *bits_over_unit = integer_bits - headroom_plus_one;
  const int32_t shifted_minus_one =
      (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
  return mb_fp_one_over_one_plus_x(shifted_minus_one);
}
