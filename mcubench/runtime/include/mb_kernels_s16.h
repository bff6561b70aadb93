/* int16 activations with int8 weights: TFLite's 16x8 quantization (activations symmetric, zero
 * point 0; filters int8 symmetric; biases int64, or int32 where TFLite Micro takes them).
 *
 * Bit-exact with TFLite Micro's reference kernels (reference_integer_ops ConvPerChannel,
 * DepthwiseConvPerChannel, FullyConnected[PerChannel] for int16, reference_ops SoftmaxInt16). Those
 * pick the accumulator from the bias type: an int64 bias, or none, means an int64 accumulator and
 * the 64-bit MultiplyByQuantizedMultiplier (mb_requantize64); an int32 bias (CONV_2D and
 * FULLY_CONNECTED only) an int32 accumulator and the 32-bit one every int8 kernel uses
 * (mb_requantize). Without a bias the two round differently; the tflite-micro build the tests run
 * against takes the int64 path then (its no-bias results in tests/opgen/classic_s16.py differ in
 * the last bit from the int32 path's).
 */
#ifndef MB_KERNELS_S16_H
#define MB_KERNELS_S16_H

#include <stdint.h>

#include "mb_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TFLite's MultiplyByQuantizedMultiplier for an int64 accumulator: the Q31 multiplier rounded to
 * Q15, then a single rounding right shift by 15 - shift (half rounds up). Needs shift <= 14. */
static inline int32_t mb_requantize64(int64_t acc, int32_t mult, int32_t shift) {
  const int32_t reduced = mult < 0x7FFF0000 ? (mult + (1 << 15)) >> 16 : 0x7FFF;
  const int32_t total = 15 - shift;
  /* >> of a negative int64 is arithmetic on every compiler we target (GCC, Clang) */
  return (int32_t)((acc * reduced + ((int64_t)1 << (total - 1))) >> total);
}

/* bias: int64_t[out_c] if p->acc64, else int32_t[out_c]; 0 for none (then acc64 = 1). */
void mb_conv2d_s16(const mb_conv2d_s16_params *p, const mb_dims *in_dims, const int16_t *in,
                   const mb_dims *filter_dims, const int8_t *filter, const void *bias,
                   const mb_dims *out_dims, int16_t *out);

void mb_depthwise_conv2d_s16(const mb_depthwise_conv2d_s16_params *p, const mb_dims *in_dims,
                             const int16_t *in, const mb_dims *filter_dims, const int8_t *filter,
                             const int64_t *bias, const mb_dims *out_dims, int16_t *out);

/* batches x in_features -> batches x out_units; filter out_units x in_features; bias as conv. */
void mb_fully_connected_s16(const mb_fully_connected_s16_params *p, int32_t batches,
                            int32_t in_features, const int16_t *in, int32_t out_units,
                            const int8_t *filter, const void *bias, int16_t *out);

/* rows x depth, softmax over depth; output scale 1/32768, zero point 0. */
void mb_softmax_s16(const mb_softmax_s16_params *p, int32_t rows, int32_t depth,
                    const int16_t *in, int16_t *out);

#ifdef __cplusplus
}
#endif
#endif
