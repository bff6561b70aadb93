/* Integer math of TFLite Micro's signal library (mb_signal.h): most significant bit, square
 * roots digit by digit, a table-interpolated natural log; results bit-exact with it. */
#include "mb_signal.h"

uint32_t mb_msb32(uint32_t x) {
  uint32_t n = 0;
  if (!x) return 32; /* TFLite Micro's GCC build: 32 - __builtin_clz(x) only for x != 0 */
  while (x) x >>= 1, n++;
  return n;
}

uint32_t mb_msb64(uint64_t x) {
  uint32_t n = 0;
  if (!x) return 64;
  while (x) x >>= 1, n++;
  return n;
}

/* The square root of a `bits`-bit num (its top set bit at msb), one result bit per step from the
 * highest even position down, rounded up when the remainder exceeds the root and the root is
 * below cap: TFLite Micro's Sqrt32 and Sqrt64, whose sums fit their own width. */
static uint64_t root(uint64_t num, uint32_t msb, int32_t bits, uint64_t cap) {
  uint64_t res = 0;
  const int32_t top = (bits - (int32_t)msb) | 1;
  uint64_t bit = (uint64_t)1 << (bits - 1 - top);
  for (int32_t k = (bits - 1 - top) / 2 + 1; k > 0; k--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (num > res && res != cap) ++res;
  return res;
}

uint32_t mb_sqrt32(uint32_t num) {
  return num ? (uint16_t)root(num, mb_msb32(num), 32, 0xFFFFu) : 0;
}

uint32_t mb_sqrt64(uint64_t num) {
  if ((num >> 32) == 0) return mb_sqrt32((uint32_t)num); /* TFLite Micro's shortcut, as it is */
  return (uint32_t)root(num, mb_msb64(num), 64, 0xFFFFFFFFu);
}

/* log2(1 + k/128) - k/128 in Q16 for k = 0..128 (and a 0 pad): the correction the linear
 * fraction gets; tests/test_signal.py checks it against the formula. */
static const uint16_t mb_log_lut[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646,
    2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460,
    4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408,
    5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
    5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249,
    5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341,
    4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981,
    2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};

/* x > 1: round(ln(x) * out_scale) in TFLite Micro's fixed point (log2 in Q16, times ln 2 as
 * 45426 / 2^16, then times out_scale / 2^16, each rounded). */
uint32_t mb_log32(uint32_t x, uint32_t out_scale) {
  const uint32_t integer = mb_msb32(x) - 1;
  int32_t frac = (int32_t)(uint32_t)((uint64_t)x - ((uint64_t)1 << integer));
  if (integer < 16) frac = (int32_t)((uint32_t)frac << (16 - integer));
  else frac >>= integer - 16;
  const uint32_t seg = (uint32_t)frac >> 9; /* 128 segments of 512 */
  const int32_t c0 = mb_log_lut[seg], c1 = mb_log_lut[seg + 1];
  const int32_t rel = ((c1 - c0) * (frac - (int32_t)(512 * seg))) >> 16;
  const uint32_t log2 = (integer << 16) + (uint32_t)(frac + c0 + rel);
  const uint32_t loge = (uint32_t)(((uint64_t)45426 * log2 + 32768) >> 16);
  return (out_scale * loge + 32768) >> 16;
}
