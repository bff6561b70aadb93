/* TFLite Micro's int16 softmax tables, generated at setup as its SoftmaxPrepare does (gen_lut):
 * exp over [-10, 0] and 1/(1+x) over [0, 1], 512 segments plus the end point, in Q0.15, each entry
 * nudged by half the interpolation error at its segment's midpoint.
 *
 * Bit-exact without libm: every float32 operation is TFLite's, in its order (the products are
 * exact, so a fused multiply-add could not change them), and expf is correctly rounded from a
 * double-precision exp whose error (~1e-16 relative) is far below the distance of each of the 1025
 * sampled values to a float32 rounding boundary (>= 7e-11 relative, checked offline against
 * ir/quant.py's tables, which equal those of glibc's expf). */
#include "mbi_s16.h"

/* exp(x) for x in [-11, 1] in double: x = k ln2 + r with |r| <= ln2/2 (ln2 in two parts, so
 * k * ln2_hi is exact), a Taylor series in r, then 2^k added to the exponent bits. */
static double exp_double(double x) {
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  const int32_t k = (int32_t)(x * 1.44269504088896338700 + (x < 0 ? -0.5 : 0.5));
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  double sum = 1.0, term = 1.0;
  for (int32_t n = 1; n <= 16; n++) { /* r^17 / 17! < 1e-22 */
    term *= r / n;
    sum += term;
  }
  mbi_f64_bits b;
  b.d = sum;
  b.u += (uint64_t)(int64_t)k << 52; /* sum is in [0.7, 1.5]: the result stays normal */
  return b.d;
}

static float expf_rounded(float x) { return (float)exp_double((double)x); }

static float one_over_one_plus(float x) { return 1.0f / (1.0f + x); }

/* TfLiteRound on a float below 2^23 in magnitude: halves away from zero; x - trunc(x) is exact. */
static float round_away(float x) {
  float t = (float)(int32_t)x;
  if (x - t >= 0.5f) t += 1.0f;
  else if (x - t <= -0.5f) t -= 1.0f;
  return t;
}

static int16_t saturate16(float x) {
  return (int16_t)(x < -32768.0f ? -32768.0f : (x > 32767.0f ? 32767.0f : x));
}

/* gen_lut<float, int16_t, int16_t>(func, lo, hi, -1, 1, lut) */
static void gen_lut(float (*func)(float), float lo, float hi, int16_t *lut) {
  const float step = (hi - lo) / 512.0f, half_step = step / 2.0f;
  const float scale = 65536.0f / 2.0f; /* the int16 codes over the output range [-1, 1] */
  for (int32_t i = 0; i < 512; i++) {
    const float x = lo + (float)i * step;
    const float val = func(x), val_mid = func(x + half_step);
    const float val_next = func(lo + (float)(i + 1) * step);
    const float sample = round_away(val * scale);
    const float interp = round_away((val_next * scale + sample) / 2.0f);
    const float bias = round_away((interp - round_away(val_mid * scale)) / 2.0f);
    lut[i] = saturate16(sample - bias);
  }
  lut[512] = saturate16(round_away(func(hi) * scale));
}

void mbi_softmax_s16_luts(int16_t *exp_lut, int16_t *one_over_one_plus_x_lut) {
  gen_lut(expf_rounded, -10.0f, 0.0f, exp_lut);
  gen_lut(one_over_one_plus, 0.0f, 1.0f, one_over_one_plus_x_lut);
}
