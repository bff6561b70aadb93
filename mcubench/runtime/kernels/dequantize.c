/* DEQUANTIZE (TFLite's Dequantize): x = scale * (q - zero_point). TFLite Micro multiplies the
 * float32 scale by the integer difference in float32; the difference (at most 17 bits) converts to
 * float exactly, so the one rounding of the product gives the same bits here. */
#include <stdint.h>

#include "mb_quantize.h"

void mb_dequantize_s8_f32(const mb_dequantize_params *p, int32_t size, const int8_t *in,
                          float *out) {
  for (int32_t i = 0; i < size; i++) out[i] = p->scale * (float)(in[i] - p->zero_point);
}

void mb_dequantize_s16_f32(const mb_dequantize_params *p, int32_t size, const int16_t *in,
                           float *out) {
  for (int32_t i = 0; i < size; i++) out[i] = p->scale * (float)(in[i] - p->zero_point);
}
