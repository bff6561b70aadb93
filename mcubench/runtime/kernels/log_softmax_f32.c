/* float32 LOG_SOFTMAX (mb_log_softmax.h), TFLite Micro's reference order: per row the maximum
 * (std::max from the lowest float), the float sum of exp(x - max), its log, and each output
 * (x - max) - log.
 *
 * exp and log are computed here without libm (a freestanding build has none): in double, to
 * about 1e-16, then rounded once to float, so they are the correctly rounded float results except
 * in cases too rare to meet. TFLite Micro calls the host libm's expf and logf (glibc), which are
 * within one ulp but not always correctly rounded, so an output may differ from TFLite Micro's by
 * an ulp (ops/log_softmax.py states the bound the tests hold it to). */
#include <stdint.h>

#include "mb_log_softmax.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* GCC does not contract in ISO C mode (-std=c99) */
#endif

#define LN2_HI 6.93147180369123816490e-01 /* ln 2 in two parts: k * LN2_HI is exact */
#define LN2_LO 1.90821492927058770002e-10
#define INV_LN2 1.44269504088896338700e+00

typedef union {
  double d;
  uint64_t u;
} f64_bits;

/* 2^k as a double, -1022 <= k <= 1023. */
static double pow2(int32_t k) {
  f64_bits b;
  b.u = (uint64_t)(k + 1023) << 52;
  return b.d;
}

/* exp(x) rounded to float, for x <= 0 or NaN (x - max in a row). */
static float exp_nonpositive(float x) {
  if (x != x) return x;
  if (x < -104.0f) return 0.0f; /* below half the smallest subnormal float */
  const double xd = (double)x;
  const int32_t k = (int32_t)(xd * INV_LN2 - 0.5); /* round(x / ln 2) for x <= 0 */
  const double r = (xd - (double)k * LN2_HI) - (double)k * LN2_LO; /* |r| <= ln(2) / 2 */
  double e = 1.0; /* Taylor series of exp(r) to r^13 / 13!: below 1e-17 relative */
  for (int32_t n = 13; n >= 1; n--) e = 1.0 + e * r / (double)n;
  return (float)(e * pow2(k));
}

/* log(x) rounded to float, for x >= 0 (a row's sum of exps, at least 1 unless the row holds
 * NaN or only -inf), NaN and +inf. */
static float log_nonnegative(float x) {
  f64_bits b;
  if (x != x || x > 3.40282347e+38f) return x; /* NaN, +inf */
  if (x <= 0.0f) {                              /* log(0) = -inf */
    b.u = 0xfff0000000000000ULL;
    return (float)b.d;
  }
  b.d = (double)x; /* a subnormal float is a normal double */
  int32_t e = (int32_t)((b.u >> 52) & 0x7ff) - 1023;
  b.u = (b.u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL; /* x = m 2^e, m in [1, 2) */
  double m = b.d;
  if (m > 1.41421356237309504880) m *= 0.5, e++; /* m in [sqrt(1/2), sqrt(2)) */
  /* log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: the odd series to s^23 */
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  double t = 1.0 / 23.0;
  for (int32_t n = 21; n >= 1; n -= 2) t = 1.0 / (double)n + s2 * t;
  return (float)((double)e * LN2_HI + ((double)e * LN2_LO + 2.0 * s * t));
}

void mb_log_softmax_f32(const mb_log_softmax_params *p, const float *in, float *out) {
  const int32_t depth = p->depth;
  for (int32_t r = 0; r < p->rows; r++) {
    const float *x = in + r * depth;
    float *y = out + r * depth;
    float max = -3.40282347e+38f; /* std::numeric_limits<float>::lowest() */
    for (int32_t c = 0; c < depth; c++) max = max < x[c] ? x[c] : max;
    float sum = 0.0f;
    for (int32_t c = 0; c < depth; c++) sum += exp_nonpositive(x[c] - max);
    const float log_sum = log_nonnegative(sum);
    for (int32_t c = 0; c < depth; c++) y[c] = (x[c] - max) - log_sum;
  }
}
