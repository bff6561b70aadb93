/* Convolutions specialized for one depth K (results identical to mb_conv2d_s8 / _opt): a dense
 * 1x1 CONV_2D (stride 1) whose input has K channels, and optionally a general CONV_2D whose
 * receptive field has K = filter_h * filter_w * in_c values, gathered into im2col columns.
 *
 * Instantiated by the aot backend per depth: a generated file defines MB_K and MB_FN (the 1x1
 * function's name) and includes this file; MB_RELU (0 or 1), when defined, fixes the output
 * stage's case at compile time (one output section instead of two); MB_IM2COL_FN, when defined,
 * names the general conv (four pixels' fields gathered first; scratch: 4 * K bytes).
 *
 * With K a compile-time constant, four consecutive pixels' inputs are one pointer and constant
 * offsets (0, K, 2K, 3K; immediates when 3K < 2048), which frees the registers for a 4 pixels x
 * 4 channels block: 16 accumulators, each input byte loaded once for 4 multiply-adds and each
 * weight byte once for 4 (2.6 instructions per multiply-accumulate on RV32, against 2.75 for the
 * generic 2 x 8 GEMM).
 *
 * Weights come packed for this kernel: full blocks of 4 channels as [K][4], then single channels
 * [K]. Pixels go in groups of 4, then one by one, channel block by channel block: a group reads
 * only its own pixels and writes only theirs (fold.py's overlap lag relies on this order). */
#include <stdint.h>

#include "mb_kernels_opt.h"

#if !defined(MB_K) || !defined(MB_FN)
#error "define MB_K (input channels) and MB_FN (function name) before including conv1x1_tpl.h"
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-schedule-insns")
#endif

#if defined(MB_RELU)
#define MB_IS_RELU(rq) MB_RELU
#else
#define MB_IS_RELU(rq) ((rq)->relu)
#endif

#define MB_CAT_(a, b) a##b
#define MB_CAT(a, b) MB_CAT_(a, b)
#define MB_BLOCK MB_CAT(MB_FN, _block)
#define MB_ONE MB_CAT(MB_FN, _one)
#define MB_ROW MB_CAT(MB_FN, _row)

#define MB_ACC4(r, o)                                                           \
  do {                                                                          \
    const int32_t x = a[(r) * MB_K + (o)];                                      \
    s##r##0 += x * w0, s##r##1 += x * w1, s##r##2 += x * w2, s##r##3 += x * w3; \
  } while (0)
#define MB_STEP(o)                                                              \
  do {                                                                          \
    const int32_t w0 = w[4 * (o)], w1 = w[4 * (o) + 1], w2 = w[4 * (o) + 2];    \
    const int32_t w3 = w[4 * (o) + 3];                                          \
    MB_ACC4(0, o);                                                              \
    MB_ACC4(1, o);                                                              \
    MB_ACC4(2, o);                                                              \
    MB_ACC4(3, o);                                                              \
  } while (0)

#if defined(MB_SIMD_DSP)
#define MB_DSP_X4(r)                                                  \
  const uint32_t xw##r = mb_ldw(a + (r) * MB_K);                      \
  const uint32_t xa##r = __sxtb16(xw##r), xb##r = mb_sxtb16_ror8(xw##r)
#define MB_DSP_PX(r, j) s##r##j = __smlad(xa##r, p, __smlad(xb##r, q, s##r##j))
#define MB_DSP_PAIRS4(rot, lo, hi)                                          \
  do {                                                                      \
    const uint32_t q0 = rot(mb_ldw(w)), q1 = rot(mb_ldw(w + 4));            \
    const uint32_t q2 = rot(mb_ldw(w + 8)), q3 = rot(mb_ldw(w + 12));       \
    uint32_t p = mb_pk_lo(q0, q2), q = mb_pk_lo(q1, q3);                    \
    MB_DSP_PX(0, lo); MB_DSP_PX(1, lo); MB_DSP_PX(2, lo); MB_DSP_PX(3, lo); \
    p = mb_pk_hi(q0, q2), q = mb_pk_hi(q1, q3);                             \
    MB_DSP_PX(0, hi); MB_DSP_PX(1, hi); MB_DSP_PX(2, hi); MB_DSP_PX(3, hi); \
  } while (0)
#endif

#if defined(MB_SIMD_VEXT)
/* accumulators v<pixel><channel>: int32 in element 0 */
#define MB_V_INIT(r)                                                                  \
  vint32m1_t v##r##0 = __riscv_vmv_s_x_i32m1(b[0], 1), v##r##1 = __riscv_vmv_s_x_i32m1(b[1], 1); \
  vint32m1_t v##r##2 = __riscv_vmv_s_x_i32m1(b[2], 1), v##r##3 = __riscv_vmv_s_x_i32m1(b[3], 1)
#define MB_V_PX(r, j) \
  v##r##j = __riscv_vwredsum_vs_i16m2_i32m1(__riscv_vwmul_vv_i16m2(x##r, wj, vl), v##r##j, vl)
#define MB_V_CH(j)                                                      \
  do {                                                                  \
    const vint8m1_t wj = __riscv_vlse8_v_i8m1(w + 4 * i + (j), 4, vl);  \
    MB_V_PX(0, j); MB_V_PX(1, j); MB_V_PX(2, j); MB_V_PX(3, j);         \
  } while (0)
#define MB_V_OUT(r)                                                          \
  s##r##0 = __riscv_vmv_x_s_i32m1_i32(v##r##0), s##r##1 = __riscv_vmv_x_s_i32m1_i32(v##r##1); \
  s##r##2 = __riscv_vmv_x_s_i32m1_i32(v##r##2), s##r##3 = __riscv_vmv_x_s_i32m1_i32(v##r##3)
#endif

#define MB_STORE4(r, relu)                                                        \
  do {                                                                            \
    yc[(r) * out_c + 0] = mb_out_s8(s##r##0, m0, h0, relu, zp, act_min, act_max); \
    yc[(r) * out_c + 1] = mb_out_s8(s##r##1, m1, h1, relu, zp, act_min, act_max); \
    yc[(r) * out_c + 2] = mb_out_s8(s##r##2, m2, h2, relu, zp, act_min, act_max); \
    yc[(r) * out_c + 3] = mb_out_s8(s##r##3, m3, h3, relu, zp, act_min, act_max); \
  } while (0)

/* 4 pixels (rows a, a + K, a + 2K, a + 3K) x every block of 4 channels, into y (4 rows of out_c).
 * One call per group: the callee-saved registers are saved once, not per block. */
static
#if defined(__GNUC__)
    __attribute__((noinline))
#endif
    void MB_BLOCK(const mb_requant_opt *rq, int32_t blocks, int32_t out_c, const int8_t *a0,
                  const int8_t *w, int8_t *y) {
  for (int32_t c = 0; c < 4 * blocks; c += 4) {
    const int8_t *a = a0;
    const int32_t *b = rq->bias + c;
    int32_t s00 = b[0], s01 = b[1], s02 = b[2], s03 = b[3];
    int32_t s10 = s00, s11 = s01, s12 = s02, s13 = s03;
    int32_t s20 = s00, s21 = s01, s22 = s02, s23 = s03;
    int32_t s30 = s00, s31 = s01, s32 = s02, s33 = s03;
#if defined(MB_SIMD_DSP)
    /* four input channels per iteration: per pixel, an input word gives the halfword pairs of
     * channels (k0, k2) and (k1, k3); per output channel, SXTB16 and PKHBT/PKHTB of the four weight
     * words give the matching weight pairs, shared by the 4 pixels: 8 SMLADs per weight pair. */
    for (const int8_t *const end = a + (MB_K & ~3); a != end; a += 4, w += 16) {
      MB_DSP_X4(0);
      MB_DSP_X4(1);
      MB_DSP_X4(2);
      MB_DSP_X4(3);
      MB_DSP_PAIRS4(__sxtb16, 0, 2);
      MB_DSP_PAIRS4(mb_sxtb16_ror8, 1, 3);
    }
#if MB_K % 4 >= 2
    MB_STEP(0);
    MB_STEP(1);
    a += 2, w += 8;
#endif
#if MB_K % 2
    MB_STEP(0);
    w += 4;
#endif
#elif defined(MB_SIMD_VEXT)
    /* vectors run along the input channels: per chunk of up to VLMAX input channels, each pixel's
     * inputs are one load, each output channel's weights one strided load (stride 4: [K][4]);
     * a widening multiply (int8 x int8 -> int16) and a widening sum (int16 -> int32, added to the
     * accumulator's element 0) per pixel and channel. */
    MB_V_INIT(0); MB_V_INIT(1); MB_V_INIT(2); MB_V_INIT(3);
    for (int32_t i = 0; i < MB_K;) {
      const size_t vl = __riscv_vsetvl_e8m1((size_t)(MB_K - i));
      const vint8m1_t x0 = __riscv_vle8_v_i8m1(a + i, vl);
      const vint8m1_t x1 = __riscv_vle8_v_i8m1(a + MB_K + i, vl);
      const vint8m1_t x2 = __riscv_vle8_v_i8m1(a + 2 * MB_K + i, vl);
      const vint8m1_t x3 = __riscv_vle8_v_i8m1(a + 3 * MB_K + i, vl);
      MB_V_CH(0); MB_V_CH(1); MB_V_CH(2); MB_V_CH(3);
      i += (int32_t)vl;
    }
    w += 4 * MB_K;
    MB_V_OUT(0); MB_V_OUT(1); MB_V_OUT(2); MB_V_OUT(3);
#else
    /* two input channels per iteration: half the loop overhead */
    for (const int8_t *const end = a + (MB_K & ~1); a != end; a += 2, w += 8) {
      MB_STEP(0);
      MB_STEP(1);
    }
#if MB_K % 2
    MB_STEP(0);
    w += 4;
#endif
#endif
    const int32_t m0 = rq->mult[c], m1 = rq->mult[c + 1], m2 = rq->mult[c + 2];
    const int32_t m3 = rq->mult[c + 3];
    const int32_t h0 = rq->shift[c], h1 = rq->shift[c + 1], h2 = rq->shift[c + 2];
    const int32_t h3 = rq->shift[c + 3];
    const int32_t zp = rq->output_offset, act_min = rq->act_min, act_max = rq->act_max;
    int8_t *const yc = y + c;
    if (MB_IS_RELU(rq)) {
      MB_STORE4(0, 1); MB_STORE4(1, 1); MB_STORE4(2, 1); MB_STORE4(3, 1);
    } else {
      MB_STORE4(0, 0); MB_STORE4(1, 0); MB_STORE4(2, 0); MB_STORE4(3, 0);
    }
  }
}

/* One pixel x 4 channels c..c+3 (the last pixels) into y + c. */
static void MB_ROW(const mb_requant_opt *rq, int32_t c, const int8_t *a, const int8_t *w,
                   int8_t *y) {
  int32_t s0 = rq->bias[c], s1 = rq->bias[c + 1], s2 = rq->bias[c + 2], s3 = rq->bias[c + 3];
  for (int32_t i = 0; i < MB_K; i++, w += 4) {
    const int32_t x = a[i];
    s0 += x * w[0], s1 += x * w[1], s2 += x * w[2], s3 += x * w[3];
  }
  const int32_t relu = MB_IS_RELU(rq), zp = rq->output_offset, lo = rq->act_min;
  const int32_t hi = rq->act_max;
  y[c] = mb_out_s8(s0, rq->mult[c], rq->shift[c], relu, zp, lo, hi);
  y[c + 1] = mb_out_s8(s1, rq->mult[c + 1], rq->shift[c + 1], relu, zp, lo, hi);
  y[c + 2] = mb_out_s8(s2, rq->mult[c + 2], rq->shift[c + 2], relu, zp, lo, hi);
  y[c + 3] = mb_out_s8(s3, rq->mult[c + 3], rq->shift[c + 3], relu, zp, lo, hi);
}

/* One pixel x one channel (the channels after the last block of 4); w_step 1: weights [K]. */
static int8_t MB_ONE(const mb_requant_opt *rq, int32_t c, const int8_t *a, const int8_t *w,
                     int32_t w_step) {
  int32_t acc = rq->bias[c];
  for (int32_t i = 0; i < MB_K; i++, w += w_step) acc += (int32_t)a[i] * *w;
  return mb_out_s8(acc, rq->mult[c], rq->shift[c], MB_IS_RELU(rq), rq->output_offset, rq->act_min,
                   rq->act_max);
}

void MB_FN(const mb_requant_opt *rq, int32_t pixels, int32_t out_c, const int8_t *in,
           const int8_t *filter, int8_t *out) {
  const int32_t blocks = out_c / 4;
  int32_t p = 0;
  for (; p + 4 <= pixels; p += 4) {
    const int8_t *a = in + p * MB_K;
    int8_t *y = out + p * out_c;
    if (blocks) MB_BLOCK(rq, blocks, out_c, a, filter, y);
    const int8_t *w = filter + 4 * blocks * MB_K;
    for (int32_t c = 4 * blocks; c < out_c; c++, w += MB_K) {
      for (int32_t r = 0; r < 4; r++) y[r * out_c + c] = MB_ONE(rq, c, a + r * MB_K, w, 1);
    }
  }
  for (; p < pixels; p++) { /* the last pixels one by one */
    const int8_t *a = in + p * MB_K;
    int8_t *y = out + p * out_c;
    const int8_t *w = filter;
    for (int32_t c = 0; c < 4 * blocks; c += 4, w += 4 * MB_K) MB_ROW(rq, c, a, w, y);
    for (int32_t c = 4 * blocks; c < out_c; c++, w += MB_K) y[c] = MB_ONE(rq, c, a, w, 1);
  }
}

#if defined(MB_IM2COL_FN)
void MB_IM2COL_FN(const mb_conv2d_opt_params *p, const mb_dims *in_dims, const int8_t *in,
                  const mb_dims *filter_dims, const int8_t *filter, const mb_dims *out_dims,
                  int8_t *out) {
  const mb_requant_opt *rq = &p->rq;
  const int32_t out_w = out_dims->w, out_c = out_dims->c, pixels = out_dims->h * out_w;
  const int32_t blocks = out_c / 4;
  int8_t *const col = p->scratch;
  for (int32_t b = 0; b < out_dims->n; b++) {
    const int8_t *in_b = in + b * in_dims->h * in_dims->w * in_dims->c;
    int8_t *out_b = out + b * pixels * out_c;
    for (int32_t i = 0; i < pixels; i += 4) { /* groups of 4 pixels, then the last ones */
      const int32_t n = pixels - i < 4 ? pixels - i : 4;
      for (int32_t r = 0; r < n; r++) {
        mb_im2col_s8(p, in_dims, in_b, filter_dims->h, filter_dims->w, (i + r) / out_w,
                     (i + r) % out_w, col + r * MB_K);
      }
      int8_t *y = out_b + i * out_c;
      const int8_t *w = filter + 4 * blocks * MB_K;
      if (n == 4) {
        if (blocks) MB_BLOCK(rq, blocks, out_c, col, filter, y);
        for (int32_t c = 4 * blocks; c < out_c; c++, w += MB_K) {
          for (int32_t r = 0; r < 4; r++) y[r * out_c + c] = MB_ONE(rq, c, col + r * MB_K, w, 1);
        }
        continue;
      }
      for (int32_t r = 0; r < n; r++, y += out_c) {
        const int8_t *wr = filter;
        for (int32_t c = 0; c < 4 * blocks; c += 4, wr += 4 * MB_K) {
          MB_ROW(rq, c, col + r * MB_K, wr, y);
        }
        for (int32_t c = 4 * blocks; c < out_c; c++, wr += MB_K) {
          y[c] = MB_ONE(rq, c, col + r * MB_K, wr, 1);
        }
      }
    }
  }
}
#endif
