/* PCAN (mb_signal.h): TFLite Micro's ApplyPcanAutoGainControlFixed, its WideDynamicFunction and
 * PcanShrink (12 fractional bits of snr, 6 of output). Products wrap modulo 2^32 as there. */
#include "mb_signal.h"

/* The gain for noise estimate x: lut[x] below 3, else a quadratic in the 10 bits below x's top
 * bit, with coefficients lut[4 * msb - 6 ..]. */
static int16_t wide_dynamic(uint32_t x, const int16_t *lut) {
  if (x <= 2) return lut[x];
  const int32_t interval = (int32_t)mb_msb32(x);
  lut += 4 * interval - 6;
  const int32_t frac = (int32_t)((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) &
                                 0x3FFu);
  uint32_t r = (uint32_t)(((int32_t)lut[2] * frac) >> 5);
  r += (uint32_t)(int32_t)lut[1] << 5;
  r *= (uint32_t)frac;
  int32_t result = ((int32_t)(r + (1u << 14))) >> 15;
  result += lut[0];
  return (int16_t)result;
}

static uint32_t shrink(uint32_t x) {
  if (x < (2u << 12)) return (x * x) >> 20; /* x^2 / 4 */
  return (x >> 6) - (1u << 6);              /* x - 1 */
}

void mb_pcan_u32(const mb_pcan_params *p, const uint32_t *in, const uint32_t *noise,
                 const int16_t *lut, uint32_t *out) {
  for (int32_t i = 0; i < p->size; i++) {
    const uint32_t gain = (uint32_t)(int32_t)wide_dynamic(noise[i], lut);
    out[i] = shrink((uint32_t)(((uint64_t)in[i] * gain) >> p->snr_shift));
  }
}
