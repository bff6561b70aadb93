/* mcubench kernel library: one operator per file in runtime/kernels/, one params struct per op.
 *
 * Conventions (after CMSIS-NN): every kernel takes (params, input dims, input, [filter dims, filter,
 * bias,] output dims, output). Shapes are NHWC. Nothing allocates; all quantization parameters are
 * prepared offline (AOT backend) or once at setup (interpreter). int8 results are bit-exact with
 * TFLite Micro's reference kernels.
 */
#ifndef MB_KERNELS_H
#define MB_KERNELS_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

/* Shared fixed-point helpers (runtime/kernels/requant.c); every op rounds the same way. */
int32_t mb_requantize(int32_t acc, int32_t mult, int32_t shift);
/* Its two steps, also used by softmax's fixed-point exp: round(a * b / 2^31) saturated, and
 * round(x / 2^exponent), both rounding half away from zero (gemmlowp semantics). */
int32_t mb_doubling_high_mul(int32_t a, int32_t b);
int32_t mb_rounding_shift_right(int32_t x, int32_t exponent);

void mb_conv2d_s8(const mb_conv2d_params *p, const mb_dims *in_dims, const int8_t *in,
                  const mb_dims *filter_dims, const int8_t *filter, const int32_t *bias,
                  const mb_dims *out_dims, int8_t *out);

void mb_depthwise_conv2d_s8(const mb_depthwise_conv2d_params *p, const mb_dims *in_dims,
                            const int8_t *in, const mb_dims *filter_dims, const int8_t *filter,
                            const int32_t *bias, const mb_dims *out_dims, int8_t *out);

/* batches x in_features -> batches x out_units; filter is out_units x in_features. */
void mb_fully_connected_s8(const mb_fully_connected_params *p, int32_t batches,
                           int32_t in_features, const int8_t *in, int32_t out_units,
                           const int8_t *filter, const int32_t *bias, int8_t *out);

void mb_avg_pool_s8(const mb_pool_params *p, const mb_dims *in_dims, const int8_t *in,
                    const mb_dims *out_dims, int8_t *out);

void mb_max_pool_s8(const mb_pool_params *p, const mb_dims *in_dims, const int8_t *in,
                    const mb_dims *out_dims, int8_t *out);

/* Element-wise add of two tensors of equal size (broadcasting is a later extension). */
void mb_add_s8(const mb_add_params *p, int32_t size, const int8_t *in1, const int8_t *in2,
               int8_t *out);

/* rows x depth, softmax over depth. */
void mb_softmax_s8(const mb_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in,
                   int8_t *out);
/* int8 in, int16 out (scale 1/65536, zero point -32768). */
void mb_softmax_s8_s16(const mb_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in,
                       int16_t *out);

/* RESHAPE moves no data when planned in place; this copy serves when it is not. */
void mb_copy_s8(int32_t size, const int8_t *in, int8_t *out);

#ifdef __cplusplus
}
#endif
#endif
