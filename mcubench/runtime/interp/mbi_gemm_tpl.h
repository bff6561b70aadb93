/* The interpreter's int8 GEMM over filters as the model stores them (OHWI: output channel c's k taps
 * at w + c * k), results identical to the reference conv / fully connected kernels (mbi_opt.h).
 *
 * Included by one file per instance: MB_FN names the function (mbi_gemm_fn), MB_K, when defined,
 * fixes the depth k at compile time (the argument k is then ignored). With k constant, the four
 * pixels of a block (rows a + r * k) and its four channels (rows w + j * k) are two pointers plus
 * immediate offsets (while 3k < 2048 on RV32): 16 accumulators, each input and each weight byte
 * loaded once for four multiply-adds, as aot's conv1x1_tpl.h does on packed weights. Without
 * MB_K the same loops take k at run time (more address arithmetic, the same results).
 *
 * Order: groups of 4 pixels x blocks of 4 channels, then single channels; the last pixels one at
 * a time x blocks of 8 channels (a fully connected layer of one batch), then 4, then 1. */
#include <stdint.h>

#include "mbi_opt.h"

#if !defined(MB_FN)
#error "define MB_FN (and optionally MB_K) before including mbi_gemm_tpl.h"
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-schedule-insns") /* no spills of the 16 accumulators, as gemm.c */
#endif

#if defined(MB_K)
#define KK MB_K
#else
#define KK k
#endif

#if defined(__GNUC__)
#define MB_NOINLINE __attribute__((noinline))
#define MB_INLINE static inline __attribute__((always_inline))
#else
#define MB_NOINLINE
#define MB_INLINE static inline
#endif

#define MB_CAT_(a, b) a##b
#define MB_CAT(a, b) MB_CAT_(a, b)
#define MB_BLOCK44 MB_CAT(MB_FN, _block44)
#define MB_ROW MB_CAT(MB_FN, _row)
#define MB_ONE MB_CAT(MB_FN, _one)

/* Input position o of the four pixels times the weights of channels 0..3 */
#define MB_ACC(r, o)                                                            \
  do {                                                                          \
    const int32_t x = a[(r) * KK + (o)];                                        \
    s##r##0 += x * w0, s##r##1 += x * w1, s##r##2 += x * w2, s##r##3 += x * w3; \
  } while (0)
#define MB_STEP(o)                                                       \
  do {                                                                   \
    const int32_t w0 = w[o], w1 = w[KK + (o)], w2 = w[2 * KK + (o)];     \
    const int32_t w3 = w[3 * KK + (o)];                                  \
    MB_ACC(0, o);                                                        \
    MB_ACC(1, o);                                                        \
    MB_ACC(2, o);                                                        \
    MB_ACC(3, o);                                                        \
  } while (0)
#define MB_STORE(r, relu)                                                         \
  do {                                                                            \
    yc[(r) * n + 0] = (int8_t)mb_out_s8(s##r##0, m0, h0, relu, zp, lo, hi);        \
    yc[(r) * n + 1] = (int8_t)mb_out_s8(s##r##1, m1, h1, relu, zp, lo, hi);        \
    yc[(r) * n + 2] = (int8_t)mb_out_s8(s##r##2, m2, h2, relu, zp, lo, hi);        \
    yc[(r) * n + 3] = (int8_t)mb_out_s8(s##r##3, m3, h3, relu, zp, lo, hi);        \
  } while (0)

/* 4 pixels (a + r * k) x channels [0, 4 * blocks) into y (4 rows of n). One call per group: the
 * callee-saved registers are saved once, not per block. */
static MB_NOINLINE void MB_BLOCK44(const mb_requant_opt *rq, int32_t k, int32_t blocks, int32_t n,
                                   const int8_t *a0, const int8_t *w0p, int8_t *y) {
  (void)k;
  for (int32_t c = 0; c < 4 * blocks; c += 4) {
    const int8_t *a = a0, *w = w0p + c * KK;
    const int32_t *b = rq->bias + c;
    int32_t s00 = b[0], s01 = b[1], s02 = b[2], s03 = b[3];
    int32_t s10 = s00, s11 = s01, s12 = s02, s13 = s03;
    int32_t s20 = s00, s21 = s01, s22 = s02, s23 = s03;
    int32_t s30 = s00, s31 = s01, s32 = s02, s33 = s03;
    /* two input positions per iteration: half the loop overhead */
    for (const int8_t *const end = a + (KK & ~1); a != end; a += 2, w += 2) {
      MB_STEP(0);
      MB_STEP(1);
    }
    if (KK & 1) MB_STEP(0);
    const int32_t m0 = rq->mult[c], m1 = rq->mult[c + 1], m2 = rq->mult[c + 2];
    const int32_t m3 = rq->mult[c + 3];
    const int32_t h0 = rq->shift[c], h1 = rq->shift[c + 1], h2 = rq->shift[c + 2];
    const int32_t h3 = rq->shift[c + 3];
    const int32_t zp = rq->output_offset, lo = rq->act_min, hi = rq->act_max;
    int8_t *const yc = y + c;
    if (rq->relu) {
      MB_STORE(0, 1); MB_STORE(1, 1); MB_STORE(2, 1); MB_STORE(3, 1);
    } else {
      MB_STORE(0, 0); MB_STORE(1, 0); MB_STORE(2, 0); MB_STORE(3, 0);
    }
  }
}

/* One pixel x `width` (8 or 4) channels from c: weights of channel c + j at w + j * k. */
#define MB_TAP8(o)                                                                  \
  do {                                                                              \
    const int32_t x = a[o];                                                         \
    s0 += x * w[o], s1 += x * w[KK + (o)], s2 += x * w[2 * KK + (o)];               \
    s3 += x * w[3 * KK + (o)];                                                      \
    if (width == 8) {                                                               \
      s4 += x * w[4 * KK + (o)], s5 += x * w[5 * KK + (o)];                         \
      s6 += x * w[6 * KK + (o)], s7 += x * w[7 * KK + (o)];                         \
    }                                                                               \
  } while (0)

MB_INLINE void MB_ROW(const mb_requant_opt *rq, int32_t k, int32_t c, int32_t width,
                      const int8_t *a, const int8_t *w, int8_t *y) {
  (void)k;
  const int32_t *b = rq->bias + c;
  int32_t s0 = b[0], s1 = b[1], s2 = b[2], s3 = b[3];
  int32_t s4 = width == 8 ? b[4] : 0, s5 = width == 8 ? b[5] : 0;
  int32_t s6 = width == 8 ? b[6] : 0, s7 = width == 8 ? b[7] : 0;
  for (const int8_t *const end = a + (KK & ~1); a != end; a += 2, w += 2) {
    MB_TAP8(0);
    MB_TAP8(1);
  }
  if (KK & 1) MB_TAP8(0);
  const int32_t relu = rq->relu, zp = rq->output_offset, lo = rq->act_min, hi = rq->act_max;
  const int32_t *m = rq->mult + c;
  const int8_t *h = rq->shift + c;
  y[c] = (int8_t)mb_out_s8(s0, m[0], h[0], relu, zp, lo, hi);
  y[c + 1] = (int8_t)mb_out_s8(s1, m[1], h[1], relu, zp, lo, hi);
  y[c + 2] = (int8_t)mb_out_s8(s2, m[2], h[2], relu, zp, lo, hi);
  y[c + 3] = (int8_t)mb_out_s8(s3, m[3], h[3], relu, zp, lo, hi);
  if (width == 8) {
    y[c + 4] = (int8_t)mb_out_s8(s4, m[4], h[4], relu, zp, lo, hi);
    y[c + 5] = (int8_t)mb_out_s8(s5, m[5], h[5], relu, zp, lo, hi);
    y[c + 6] = (int8_t)mb_out_s8(s6, m[6], h[6], relu, zp, lo, hi);
    y[c + 7] = (int8_t)mb_out_s8(s7, m[7], h[7], relu, zp, lo, hi);
  }
}

static MB_NOINLINE void MB_CAT(MB_FN, _row8)(const mb_requant_opt *rq, int32_t k, int32_t c,
                                             const int8_t *a, const int8_t *w, int8_t *y) {
  MB_ROW(rq, k, c, 8, a, w, y);
}

/* One pixel x one channel. */
static int8_t MB_ONE(const mb_requant_opt *rq, int32_t k, int32_t c, const int8_t *a,
                     const int8_t *w) {
  (void)k;
  int32_t acc = rq->bias[c];
  for (int32_t i = 0; i < KK; i++) acc += (int32_t)a[i] * w[i];
  return (int8_t)mb_out_s8(acc, rq->mult[c], rq->shift[c], rq->relu, rq->output_offset,
                           rq->act_min, rq->act_max);
}

void MB_FN(const mb_requant_opt *rq, int32_t k, int32_t pixels, int32_t n, const int8_t *a,
           const int8_t *w, int8_t *y) {
  (void)k;
  const int32_t blocks = n / 4;
  int32_t p = 0;
  for (; p + 4 <= pixels; p += 4) {
    const int8_t *ap = a + p * KK;
    int8_t *yp = y + p * n;
    if (blocks) MB_BLOCK44(rq, k, blocks, n, ap, w, yp);
    for (int32_t c = 4 * blocks; c < n; c++) {
      for (int32_t r = 0; r < 4; r++) yp[r * n + c] = MB_ONE(rq, k, c, ap + r * KK, w + c * KK);
    }
  }
  for (; p < pixels; p++) { /* the last pixels (or the one batch of a fully connected layer) */
    const int8_t *ap = a + p * KK;
    int8_t *yp = y + p * n;
    int32_t c = 0;
    for (; c + 8 <= n; c += 8) MB_CAT(MB_FN, _row8)(rq, k, c, ap, w + c * KK, yp);
    if (c + 4 <= n) {
      MB_ROW(rq, k, c, 4, ap, w + c * KK, yp);
      c += 4;
    }
    for (; c < n; c++) yp[c] = MB_ONE(rq, k, c, ap, w + c * KK);
  }
}
