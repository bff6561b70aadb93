/* float32 softmax (TFLite reference_ops::Softmax, float): per row the max, exp((x - max) * beta)
 * summed in float, then each exp divided by the sum.
 *
 * exp is self-contained rather than libm's expf: the backend cannot add -lm to the link (glibc
 * keeps expf in libm), and a fixed exp gives the same bits on every target. It is Cephes' expf
 * (Cody-Waite reduction by ln 2 in two parts, a degree-6 polynomial, within about 1 ulp of the
 * true exp); libm's are correctly rounded or within 1 ulp too, so results may differ from TFLite's
 * by an ulp or two per element. */
#include <stdint.h>
#include <string.h>

#include "mb_kernels_f32.h"

/* 2^k as a float, for -126 <= k <= 127. */
static float pow2i(int32_t k) {
  const uint32_t bits = (uint32_t)(k + 127) << 23;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* exp(x) for x <= 0 (softmax's shifted inputs); 0 below the smallest subnormal. */
static float exp_nonpositive(float x) {
  if (x < -103.972084f) return 0.0f;
  const float fk = (float)(int32_t)(x * 1.44269504088896341f - 0.5f); /* round(x / ln 2), x <= 0 */
  const int32_t k = (int32_t)fk;
  float r = x - fk * 0.693359375f; /* ln 2 = 0.693359375 - 2.12194440e-4, the first part exact */
  r = r - fk * -2.12194440e-4f;
  const float z = r * r;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * z + r + 1.0f;
  /* y * 2^k; below 2^-126 in two steps, so that a subnormal result is rounded once */
  return k >= -126 ? y * pow2i(k) : (y * pow2i(k + 64)) * pow2i(-64);
}

void mb_softmax_f32(const mb_softmax_f32_params *p, int32_t rows, int32_t depth, const float *in,
                    float *out) {
  for (int32_t r = 0; r < rows; r++) {
    const float *x = in + r * depth;
    float *y = out + r * depth;
    float max = x[0];
    for (int32_t c = 1; c < depth; c++) max = x[c] > max ? x[c] : max;
    float sum = 0.0f;
    for (int32_t c = 0; c < depth; c++) {
      const float e = exp_nonpositive((x[c] - max) * p->beta);
      y[c] = e; /* in == out is allowed: x[c] is not read again */
      sum += e;
    }
    for (int32_t c = 0; c < depth; c++) y[c] = y[c] / sum;
  }
}
