/* gemmlowp's fixed-point functions as TFLite Micro's reference kernels use them, bit for bit
 * (runtime/kernels/fixedpoint.c): SOFTMAX's and LOG_SOFTMAX's exp, 1/(1+x) and log, and the
 * saturating power-of-two multiply they are built from. A raw int32 carries an implied format
 * Qm.(31-m) ("m integer bits"); products round as mb_doubling_high_mul, halvings as
 * mb_rounding_shift_right (mb_kernels.h). */
#ifndef MB_FIXEDPOINT_H
#define MB_FIXEDPOINT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* x * 2^e, saturating for e > 0, rounding for e < 0 (SaturatingRoundingMultiplyByPOT). */
int32_t mb_fp_mul_pot(int32_t x, int32_t e);
/* exp(a) for a <= 0 with `integer_bits` integer bits, Q0.31 out (exp_on_negative_values). */
int32_t mb_fp_exp_on_negative_values(int32_t a, int32_t integer_bits);
/* 1 / (1 + a) for a in [0, 1), Q0.31 in and out (one_over_one_plus_x_for_x_in_0_1). */
int32_t mb_fp_one_over_one_plus_x(int32_t a);
/* log(x) for x >= 1 with `in_bits` integer bits, `out_bits` out (TFLite's
 * log_x_for_x_greater_than_or_equal_to_1). */
int32_t mb_fp_log_x_ge_1(int32_t x, int32_t in_bits, int32_t out_bits);
/* TFLite's GetReciprocal: 1/x for x with `integer_bits` integer bits, as a Q0.31 scale and the
 * number of bits its result lies above one. */
int32_t mb_fp_reciprocal(int32_t x, int32_t integer_bits, int32_t *bits_over_unit);

#ifdef __cplusplus
}
#endif

#endif
