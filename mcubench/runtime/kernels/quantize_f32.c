/* QUANTIZE of float32 input (TFLite's AffineQuantize): q = round(x / scale) + zero_point, clamped.
 *
 * The division is in float32 and the rounding is half away from zero (TfLiteRound, std::round),
 * both as TFLite Micro does them, so results are bit-exact. No libm: the rounding is done on the
 * quotient's integer and fractional parts. */
#include <stdint.h>

#include "mb_quantize.h"

/* Far beyond every output type's range once the zero point is added, and exact as a float. */
#define QUANT_LIMIT 16777216.0f /* 2^24 */

static int32_t quantize(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
  const float f = x / scale;
  int32_t r;
  if (f >= QUANT_LIMIT) r = (int32_t)QUANT_LIMIT;
  else if (f <= -QUANT_LIMIT) r = -(int32_t)QUANT_LIMIT;
  else if (f == f) {
    r = (int32_t)f; /* truncated toward zero: |f| < 2^24 fits, and f - r is exact */
    const float frac = f - (float)r;
    if (frac >= 0.5f) r++;
    else if (frac <= -0.5f) r--;
  } else r = 0; /* NaN: undefined in TFLite; zero point here */
  r += zero_point;
  return r < lo ? lo : r > hi ? hi : r;
}

void mb_quantize_f32_s8(const mb_quantize_params *p, int32_t size, const float *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++)
    out[i] = (int8_t)quantize(in[i], p->scale, p->output_zp, INT8_MIN, INT8_MAX);
}

void mb_quantize_f32_s16(const mb_quantize_params *p, int32_t size, const float *in,
                         int16_t *out) {
  for (int32_t i = 0; i < size; i++)
    out[i] = (int16_t)quantize(in[i], p->scale, p->output_zp, INT16_MIN, INT16_MAX);
}
