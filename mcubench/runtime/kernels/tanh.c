/* int8 TANH, bit-exact with TFLite Micro's reference integer kernel: the input, less its zero
 * point, is rescaled to Q4.27 and run through gemmlowp's fixed-point tanh; the Q0.31 result is
 * rounded to 7 fractional bits (output scale 1/128, zero point 0). Inputs at least
 * input_range_radius from the zero point saturate. The exp is logistic.c's. */
#include <stdint.h>

#include "mb_activation.h"
#include "mb_kernels.h"

/* (1 - a) / (1 + a) for a in [0, 1], Q0.31 in and out: Newton-Raphson for 1 / (1 + a) in Q2.29. */
static int32_t one_minus_x_over_one_plus_x(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + 1) / 2); /* (1 + a) / 2, rounded */
  /* 48/17 - 32/17 d in Q2.29, the usual first estimate */
  int32_t x = 1515870810 + mb_doubling_high_mul(half_denominator, -1010580540);
  for (int32_t i = 0; i < 3; i++) {
    const int32_t one_minus = (1 << 29) - mb_doubling_high_mul(half_denominator, x);
    const int32_t step = mb_doubling_high_mul(x, one_minus); /* Q4.27; x 2^2 saturating: */
    x = x + (step > (1 << 29) - 1 ? INT32_MAX
             : step < -((1 << 29) - 1) ? INT32_MIN : (int32_t)((uint32_t)step << 2));
  }
  /* 2 / (1 + a) - 1 in Q2.29, times 4 saturating into Q0.31 */
  const int32_t y = x - (1 << 29);
  return y > (1 << 29) - 1 ? INT32_MAX
         : y < -((1 << 29) - 1) ? INT32_MIN : (int32_t)((uint32_t)y << 2);
}

/* gemmlowp tanh of a Q4.27 value, Q0.31 out: -tanh(-|a|) from exp(-2|a|) (Q5.26), mirrored. */
static int32_t tanh_q4(int32_t a) {
  if (a == 0) return 0;
  const int32_t neg_abs = a < 0 ? a : -a;
  const int32_t t = one_minus_x_over_one_plus_x(mb_exp_on_negative_values(neg_abs, 5));
  return a < 0 ? -t : t;
}

void mb_tanh_s8(const mb_tanh_params *p, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    const int32_t x = (int32_t)in[i] - p->input_zero_point;
    int32_t v;
    if (x <= -p->input_range_radius) {
      v = INT8_MIN;
    } else if (x >= p->input_range_radius) {
      v = INT8_MAX;
    } else {
      const int32_t q4 = mb_requantize(x, p->input_multiplier, p->input_left_shift);
      v = mb_rounding_shift_right(tanh_q4(q4), 31 - 7);
      v = v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
    }
    out[i] = (int8_t)v;
  }
}
