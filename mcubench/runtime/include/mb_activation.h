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

#ifdef __cplusplus
extern "C" {
#endif

/* out[i] = table[in[i] + 128]: every int8 activation at invoke. in == out is allowed. */
static inline void mb_lut_s8(const int8_t *table, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) out[i] = table[(int32_t)in[i] + 128];
}

/* LOGISTIC and TANH: gemmlowp fixed point on the input rescaled to Q4.27 (input_multiplier,
 * input_left_shift from frexp(input_scale * 2^27)); inputs at least input_range_radius away from
 * the zero point saturate. Output scale 1/256 zero point -128 (logistic), 1/128 and 0 (tanh). */
typedef struct {
  int32_t input_zero_point;
  int32_t input_range_radius;
  int32_t input_multiplier;
  int32_t input_left_shift;
} mb_logistic_params;
typedef mb_logistic_params mb_tanh_params;

void mb_logistic_s8(const mb_logistic_params *p, int32_t size, const int8_t *in, int8_t *out);
void mb_tanh_s8(const mb_tanh_params *p, int32_t size, const int8_t *in, int8_t *out);
/* gemmlowp's exp(a) for a <= 0 given with `integer_bits` integer bits, Q0.31 out (logistic.c,
 * shared with tanh.c). */
int32_t mb_exp_on_negative_values(int32_t a, int32_t integer_bits);

/* RELU: requantize from the input to the output scale, then clamp below at the output zero point
 * (act_min) and to int8 (act_max). */
typedef struct {
  int32_t input_offset; /* the input zero point (subtracted) */
  int32_t output_offset;
  int32_t mult, shift;
  int32_t act_min, act_max;
} mb_relu_params;
void mb_relu_s8(const mb_relu_params *p, int32_t size, const int8_t *in, int8_t *out);

/* RELU6 as TFLite Micro runs it: a clamp to [zero, six] in the input's quantization (six = 6.0
 * quantized with the input scale); the output quantization is not applied. */
typedef struct {
  int32_t zero, six;
} mb_relu6_params;
void mb_relu6_s8(const mb_relu6_params *p, int32_t size, const int8_t *in, int8_t *out);

/* HARD_SWISH: TFLite's HardSwishParams, 16-bit fixed point (multipliers downscaled to Q15). */
typedef struct {
  int32_t input_zero_point, output_zero_point;
  int32_t output_multiplier_exponent;  /* <= 0 */
  int32_t reluish_multiplier_exponent;
  int16_t output_multiplier_fixedpoint;
  int16_t reluish_multiplier_fixedpoint;
} mb_hard_swish_params;
void mb_hard_swish_s8(const mb_hard_swish_params *p, int32_t size, const int8_t *in, int8_t *out);

/* LEAKY_RELU: one requantization for x >= 0 (identity) and one for x < 0 (alpha). */
typedef struct {
  int32_t input_offset; /* the input zero point (subtracted) */
  int32_t output_offset;
  int32_t mult_identity, shift_identity;
  int32_t mult_alpha, shift_alpha;
} mb_leaky_relu_params;
void mb_leaky_relu_s8(const mb_leaky_relu_params *p, int32_t size, const int8_t *in,
                      int8_t *out);

/* float32 (TFLite Micro's float reference kernels); in == out is allowed. */
typedef struct {
  float alpha;
} mb_leaky_relu_f32_params;
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
