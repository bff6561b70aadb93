/* QUANTIZE of integer input, i.e. requantization (TFLite's Requantize): the input minus its zero
 * point, times input scale / output scale as a fixed-point multiplier (mb_requantize, the rounding
 * every op shares), plus the output zero point, clamped to the output type. */
#include <stdint.h>

#include "mb_kernels.h"
#include "mb_quantize.h"

static int32_t requantize(int32_t x, const mb_quantize_params *p, int32_t lo, int32_t hi) {
  const int32_t r = mb_requantize(x + p->input_offset, p->mult, p->shift) + p->output_zp;
  return r < lo ? lo : r > hi ? hi : r;
}

void mb_quantize_s8_s8(const mb_quantize_params *p, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) out[i] = (int8_t)requantize(in[i], p, INT8_MIN, INT8_MAX);
}

void mb_quantize_s8_s16(const mb_quantize_params *p, int32_t size, const int8_t *in,
                        int16_t *out) {
  for (int32_t i = 0; i < size; i++)
    out[i] = (int16_t)requantize(in[i], p, INT16_MIN, INT16_MAX);
}

void mb_quantize_s16_s8(const mb_quantize_params *p, int32_t size, const int16_t *in,
                        int8_t *out) {
  for (int32_t i = 0; i < size; i++) out[i] = (int8_t)requantize(in[i], p, INT8_MIN, INT8_MAX);
}

void mb_quantize_s16_s16(const mb_quantize_params *p, int32_t size, const int16_t *in,
                         int16_t *out) {
  for (int32_t i = 0; i < size; i++)
    out[i] = (int16_t)requantize(in[i], p, INT16_MIN, INT16_MAX);
}
