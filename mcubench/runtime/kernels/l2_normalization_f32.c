/* float32 L2_NORMALIZATION (mb_l2_normalization.h), TFLite Micro's reference order: per row the
 * float sum of squares, its square root, at least 1e-6 (std::max), then each input divided by it.
 * The square root is IEEE's correctly rounded one (as std::sqrt on a float), computed here from
 * the bits without libm, so results are exact. */
#include <stdint.h>

#include "mb_l2_normalization.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* GCC does not contract in ISO C mode (-std=c99) */
#endif

typedef union {
  float f;
  uint32_t u;
} f32_bits;

/* sqrt(x) correctly rounded, for x >= 0, +inf or NaN: the integer square root of the significand
 * scaled to 25 bits of result, the last bit rounding (a tie is impossible for a float's root). */
static float sqrt_f32(float x) {
  f32_bits b;
  b.f = x;
  if (x != x || x == 0.0f || b.u == 0x7f800000u) return x; /* NaN, +-0, +inf */
  int32_t e = (int32_t)(b.u >> 23) - 127;
  uint64_t m = b.u & 0x7fffffu;
  if (e == -127) { /* subnormal: normalize */
    e = -126;
    while (!(m & 0x800000u)) m <<= 1, e--;
  } else {
    m |= 0x800000u;
  }
  /* x = m 2^(e-23), m in [2^23, 2^24); with e - 23 - t even, sqrt(m 2^t) in [2^24, 2^25) */
  const int32_t t = ((e - 23) & 1) ? 25 : 26;
  const uint64_t n = m << t;
  uint64_t root = 0, rem = n, bit = (uint64_t)1 << 50; /* the highest power of 4 <= 2^51 */
  while (bit > n) bit >>= 2;
  while (bit) { /* bit by bit, no multiplication */
    if (rem >= root + bit) {
      rem -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  int32_t exponent = (e - 23 - t) / 2 + 24; /* sqrt(x) = q 2^(exponent - 23) */
  uint32_t q = (uint32_t)((root >> 1) + (root & 1)); /* 24 bits, rounded */
  if (q == 0x1000000u) q >>= 1, exponent++;
  b.u = ((uint32_t)(exponent + 127) << 23) | (q & 0x7fffffu);
  return b.f;
}

void mb_l2_normalization_f32(const mb_l2_normalization_params *p, const float *in, float *out) {
  const int32_t depth = p->depth;
  for (int32_t r = 0; r < p->rows; r++) {
    const float *x = in + r * depth;
    float *y = out + r * depth;
    float squares = 0.0f;
    for (int32_t c = 0; c < depth; c++) squares += x[c] * x[c];
    float norm = sqrt_f32(squares);
    norm = norm < 1e-6f ? 1e-6f : norm; /* std::max(norm, epsilon) */
    for (int32_t c = 0; c < depth; c++) y[c] = x[c] / norm;
  }
}
