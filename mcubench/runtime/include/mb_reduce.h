/* MEAN kernels (runtime/kernels/mean.c, mean_f32.c) over any set of axes of a tensor of rank 1..4.
 *
 * The input is seen as 4-D (a lower rank padded with leading 1s); per axis, `outer` is its extent
 * in the output (the size if kept, else 1) and `inner` its extent within one mean (the size if
 * reduced, else 1). Outputs come in the input's order of kept axes, so keep_dims does not change
 * the bytes. Each mean adds its inputs in the input's memory order, as TFLite Micro does.
 *
 * Integer results are bit-exact with TFLite Micro's QuantizedMeanOrSum, the one integer path it
 * takes for every shape, axis set and quantization (equal input and output quantization included):
 * the int32 sum minus count x input zero point, requantized with input scale / output scale
 * divided by the count folded into the multiplier, plus the output zero point, clamped. float32
 * results are bit-exact too: the same summation order, then one division by the count.
 */
#ifndef MB_REDUCE_H
#define MB_REDUCE_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

void mb_mean_s8(const mb_mean_params *p, const int8_t *in, int8_t *out);
void mb_mean_s16(const mb_mean_params *p, const int16_t *in, int16_t *out);
void mb_mean_f32(const mb_mean_params *p, const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif
