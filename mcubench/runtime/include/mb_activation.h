/* Element-wise activations: LOGISTIC, TANH, RELU, RELU6, HARD_SWISH, LEAKY_RELU (int8 and float32).
 *
 * int8: each kernel mb_<op>_s8 is TFLite Micro's reference integer arithmetic, element by element,
 * bit-exact. An int8 input has only 256 values, so the backends run it once over all of them into a
 * 256-entry table (aot: the same arithmetic offline in Python; interp: this kernel at setup) and
 * the invoke is mb_lut_s8, one load per element whatever the operator costs.
 *
 * float32: TFLite Micro's float reference kernels. RELU, RELU6, LEAKY_RELU and HARD_SWISH are
 * exact; LOGISTIC and TANH use the self-contained mb_exp_f32 (no libm), within a few ulp of
 * TFLite Micro's (see logistic_f32.c, tanh_f32.c).
 */
#ifndef MB_ACTIVATION_H
#define MB_ACTIVATION_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

/* out[i] = table[in[i] + 128]: every int8 activation at invoke. in == out is allowed. */
static inline void mb_lut_s8(const int8_t *table, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) out[i] = table[(int32_t)in[i] + 128];
}


void mb_logistic_s8(const mb_logistic_params *p, int32_t size, const int8_t *in, int8_t *out);
void mb_tanh_s8(const mb_tanh_params *p, int32_t size, const int8_t *in, int8_t *out);
/* gemmlowp's exp(a) for a <= 0 given with `integer_bits` integer bits, Q0.31 out (logistic.c,
 * shared with tanh.c). */
int32_t mb_exp_on_negative_values(int32_t a, int32_t integer_bits);

void mb_relu_s8(const mb_relu_params *p, int32_t size, const int8_t *in, int8_t *out);

void mb_relu6_s8(const mb_relu6_params *p, int32_t size, const int8_t *in, int8_t *out);

void mb_hard_swish_s8(const mb_hard_swish_params *p, int32_t size, const int8_t *in, int8_t *out);

void mb_leaky_relu_s8(const mb_leaky_relu_params *p, int32_t size, const int8_t *in,
                      int8_t *out);

void mb_relu_f32(int32_t size, const float *in, float *out);
void mb_relu6_f32(int32_t size, const float *in, float *out);
void mb_leaky_relu_f32(const mb_leaky_relu_f32_params *p, int32_t size, const float *in,
                       float *out);
void mb_hard_swish_f32(int32_t size, const float *in, float *out);
void mb_logistic_f32(int32_t size, const float *in, float *out);
void mb_tanh_f32(int32_t size, const float *in, float *out);
/* exp(x) for any float, without libm (exp_f32.c): within about 1 ulp. */
float mb_exp_f32(float x);

#ifdef __cplusplus
}
#endif
#endif
