/* mcubench float32 reference kernels: one operator per file in runtime/kernels/<op>_f32.c, named
 * mb_<op>_f32, same argument order as the int8 kernels of mb_kernels.h (params, input dims, input,
 * [filter dims, filter, bias,] output dims, output). Shapes are NHWC.
 *
 * Semantics and loop order are TFLite's float reference kernels (reference_ops::Conv,
 * DepthwiseConv, FullyConnected, AveragePool, MaxPool, Add, Softmax): each sum accumulates in float
 * in TFLite's order (filter y, filter x, input channel), the bias is added last, then the fused
 * activation clamps with min(max(x, act_min), act_max). Results then equal TFLite Micro's float
 * kernels up to the compiler's contraction of a*b+c into fused multiply-adds (off on the hosts and
 * cores we build for without -ffp-contract=fast) and softmax's exp (see softmax_f32.c).
 */
#ifndef MB_KERNELS_F32_H
#define MB_KERNELS_F32_H

#include <stdint.h>

#include "mb_kernels.h" /* mb_dims */

#ifdef __cplusplus
extern "C" {
#endif

/* Filter OHWI; fewer filter than input channels: grouped convolution, as TFLite. bias may be 0. */
void mb_conv2d_f32(const mb_conv2d_f32_params *p, const mb_dims *in_dims, const float *in,
                   const mb_dims *filter_dims, const float *filter, const float *bias,
                   const mb_dims *out_dims, float *out);

/* Filter 1HW(C*M): output channel ic * M + m reads input channel ic. */
void mb_depthwise_conv2d_f32(const mb_depthwise_conv2d_f32_params *p, const mb_dims *in_dims,
                             const float *in, const mb_dims *filter_dims, const float *filter,
                             const float *bias, const mb_dims *out_dims, float *out);

/* batches x in_features -> batches x out_units; filter is out_units x in_features. */
void mb_fully_connected_f32(const mb_fully_connected_f32_params *p, int32_t batches,
                            int32_t in_features, const float *in, int32_t out_units,
                            const float *filter, const float *bias, float *out);

void mb_avg_pool_f32(const mb_pool_f32_params *p, const mb_dims *in_dims, const float *in,
                     const mb_dims *out_dims, float *out);

void mb_max_pool_f32(const mb_pool_f32_params *p, const mb_dims *in_dims, const float *in,
                     const mb_dims *out_dims, float *out);

/* Element-wise add of two tensors of equal size. */
void mb_add_f32(const mb_add_f32_params *p, int32_t size, const float *in1, const float *in2,
                float *out);

/* rows x depth, softmax over depth. */
void mb_softmax_f32(const mb_softmax_f32_params *p, int32_t rows, int32_t depth, const float *in,
                    float *out);

#ifdef __cplusplus
}
#endif
#endif
