/* QUANTIZE and DEQUANTIZE kernels (runtime/kernels/quantize_f32.c, quantize.c, dequantize.c).
 *
 * Semantics of TFLite Micro's reference kernels:
 * - float32 -> int8/int16 (AffineQuantize): q = round_half_away(x / scale) + zero_point, the
 *   division in float32, then clamped to the output type;
 * - int8/int16 -> int8/int16 (Requantize): q = requantize(x - input zero point, mult, shift) +
 *   output zero point, clamped; (mult, shift) is QuantizeMultiplier(input scale / output scale);
 * - int8/int16 -> float32 (Dequantize): x = scale * (float)(q - zero_point) in float32.
 * Every kernel works element by element over `size` values, so the shape does not matter.
 */
#ifndef MB_QUANTIZE_H
#define MB_QUANTIZE_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

void mb_quantize_f32_s8(const mb_quantize_params *p, int32_t size, const float *in, int8_t *out);
void mb_quantize_f32_s16(const mb_quantize_params *p, int32_t size, const float *in,
                         int16_t *out);
void mb_quantize_s8_s8(const mb_quantize_params *p, int32_t size, const int8_t *in, int8_t *out);
void mb_quantize_s8_s16(const mb_quantize_params *p, int32_t size, const int8_t *in,
                        int16_t *out);
void mb_quantize_s16_s8(const mb_quantize_params *p, int32_t size, const int16_t *in,
                        int8_t *out);
void mb_quantize_s16_s16(const mb_quantize_params *p, int32_t size, const int16_t *in,
                         int16_t *out);

void mb_dequantize_s8_f32(const mb_dequantize_params *p, int32_t size, const int8_t *in,
                          float *out);
void mb_dequantize_s16_f32(const mb_dequantize_params *p, int32_t size, const int16_t *in,
                           float *out);

#ifdef __cplusplus
}
#endif

#endif
