/* ABS (mb_abs.h): |x - input zero point|, requantized when the scales differ (TFLite's
 * MultiplyByQuantizedMultiplier), plus the output zero point, clamped to the type; int16 without
 * quantization wraps |-32768| to -32768 as std::abs on int16 does. */
#include "mb_abs.h"
#include "mb_kernels.h" /* mb_requantize */

static int32_t abs_q(const mb_abs_params *p, int32_t x, int32_t lo, int32_t hi) {
  int32_t v = x - p->input_offset;
  v = v < 0 ? -v : v;
  if (p->rescale) v = mb_requantize(v, p->mult, p->shift);
  v += p->output_offset;
  return v < lo ? lo : v > hi ? hi : v;
}

void mb_abs_s8(const mb_abs_params *p, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) out[i] = (int8_t)abs_q(p, in[i], INT8_MIN, INT8_MAX);
}

void mb_abs_s16(const mb_abs_params *p, int32_t size, const int16_t *in, int16_t *out) {
  if (!p->quantized) {
    for (int32_t i = 0; i < size; i++) out[i] = (int16_t)(uint16_t)(in[i] < 0 ? -in[i] : in[i]);
    return;
  }
  for (int32_t i = 0; i < size; i++) out[i] = (int16_t)abs_q(p, in[i], INT16_MIN, INT16_MAX);
}
