/* exp(x) in float without libm, for LOGISTIC and TANH: a freestanding build cannot count on libm
 * (glibc keeps expf there, the backends do not add -lm), and one fixed exp gives the same bits on
 * every target.
 *
 * Cephes' expf, as softmax_f32.c uses it for x <= 0: x = k ln 2 + r with |r| <= ln 2 / 2
 * (Cody-Waite, ln 2 in two parts so k ln 2 is exact), a degree-6 polynomial for exp(r), then the
 * scaling by 2^k. Within about 1 ulp of the true exp; libm's is within 1 ulp too (or correctly
 * rounded), so results may differ from TFLite's by an ulp. */
#include <stdint.h>

#include "mb_activation.h"

/* 2^k as a float, for -126 <= k <= 127. */
static float pow2i(int32_t k) {
  union {
    uint32_t u;
    float f;
  } bits;
  bits.u = (uint32_t)(k + 127) << 23;
  return bits.f;
}

float mb_exp_f32(float x) {
  if (x != x) return x;                 /* NaN */
  if (x > 88.7228394f) return pow2i(127) * 2.0f; /* overflows to +inf */
  if (x < -103.972084f) return 0.0f;    /* below half the smallest subnormal */
  const float z = x * 1.44269504088896341f; /* x / ln 2, rounded to the nearest integer: */
  const int32_t k = (int32_t)(z < 0.0f ? z - 0.5f : z + 0.5f);
  const float fk = (float)k;
  float r = x - fk * 0.693359375f; /* ln 2 = 0.693359375 - 2.12194440e-4, the first part exact */
  r = r - fk * -2.12194440e-4f;
  const float r2 = r * r;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r2 + r + 1.0f;
  /* y * 2^k; outside 2^[-126, 127] in two steps, so that a subnormal result is rounded once */
  if (k > 127) return (y * pow2i(127)) * pow2i(k - 127);
  return k >= -126 ? y * pow2i(k) : (y * pow2i(k + 64)) * pow2i(-64);
}
