/* The int8 GEMM under every optimized conv and fully connected kernel: one or two input rows times
 * the packed weights, register-blocked 2 rows x 8 channels (16 accumulators; each weight byte is
 * loaded once for two multiply-adds), then requantized on the fast exact path (mb_out_s8).
 *
 * A row may be given in segments (mb_gemm_rows): a conv's receptive field is fh runs of fw * in_c
 * contiguous input bytes, so interior pixels are read in place, without an im2col copy. */
#include <stdint.h>

#include "mb_kernels_opt.h"

/* GCC's first scheduling pass hoists all eight weight loads of a tap group above the multiplies and
 * runs out of registers (spills in the inner loop on RV32); without it the loop is spill-free. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-schedule-insns")
#endif

#if defined(__GNUC__)
#define MB_NOINLINE_ __attribute__((noinline))
#else
#define MB_NOINLINE_
#endif

/* Accumulate one input position into channel j of the block for two rows (one row). */
#define MB_TAP2(j)            \
  do {                        \
    const int32_t wj = w[j];  \
    s0##j += x0 * wj;         \
    s1##j += x1 * wj;         \
  } while (0)
#define MB_TAP1(j) s0##j += x0 * (int32_t)w[j]
#define MB_TAPS8_2 MB_TAP2(0); MB_TAP2(1); MB_TAP2(2); MB_TAP2(3); \
                   MB_TAP2(4); MB_TAP2(5); MB_TAP2(6); MB_TAP2(7)
#define MB_TAPS8_1 MB_TAP1(0); MB_TAP1(1); MB_TAP1(2); MB_TAP1(3); \
                   MB_TAP1(4); MB_TAP1(5); MB_TAP1(6); MB_TAP1(7)

/* Requantize channel c + j of both rows (one row). `relu` is a constant at every use, so each
 * output section is compiled for its case. */
#define MB_OUT2(j, relu)                                                  \
  do {                                                                    \
    const int32_t m = mp[j], s = sp[j];                                   \
    y0[j] = mb_out_s8(s0##j, m, s, relu, zp, act_min, act_max);           \
    y1[j] = mb_out_s8(s1##j, m, s, relu, zp, act_min, act_max);           \
  } while (0)
#define MB_OUT1(j, relu) y0[j] = mb_out_s8(s0##j, mp[j], sp[j], relu, zp, act_min, act_max)

/* A block's job: where its inputs and outputs are. Passed by pointer to the hot block functions, so
 * that all of it takes one register during the k loop (16 accumulators, 3 pointers and the
 * temporaries need the rest) and is read again after it. */
typedef struct {
  const mb_requant_opt *rq;
  int32_t c; /* first channel of the block */
  int8_t *y0, *y1;
  mb_gemm_rows rows;
  int32_t n; /* output channels */
} mb_gemm_job;

/* Read after the k loop, so that none of these occupies a register during it. A per-tensor
 * requantization comes as 8 equal entries (mb_requant_opt), so every block reads mp[0..7]. */
#define MB_PARAMS                                                         \
  const mb_requant_opt *rq = job->rq;                                     \
  const int32_t c = job->c;                                               \
  const int32_t *mp = rq->mult + (rq->per_channel ? c : 0);               \
  const int8_t *sp = rq->shift + (rq->per_channel ? c : 0);               \
  const int32_t zp = rq->output_offset, act_min = rq->act_min, act_max = rq->act_max

#if defined(MB_SIMD_DSP)
/* DSP: four input positions k0..k3 at a time. An input word b0..b3 becomes the halfword pairs
 * (b0, b2) and (b1, b3) (SXTB16, SXTB16 ROR 8); the packed weights [k][8] give, per channel, the
 * matching pairs (w[k0], w[k2]) and (w[k1], w[k3]) by SXTB16 of the four weight words and PKHBT /
 * PKHTB; each SMLAD then adds two products: 20 instructions (4 LDR, 4 SXTB16, 4 PKH, 8 SMLAD) per
 * 16 multiply-accumulates, plus the inputs' unpacking and spills of the 16 accumulators. */
#define MB_DSP_X(r)                                        \
  const uint32_t xw##r = mb_ldw(x##r##p);                  \
  const uint32_t xa##r = __sxtb16(xw##r), xb##r = mb_sxtb16_ror8(xw##r)
/* channels lo, hi (lanes 0/2 or 1/3 of the 4-channel word at w + o) of the quad */
#define MB_DSP_PAIRS(o, rot, lo, hi, ROWS)                                         \
  do {                                                                             \
    const uint32_t a0 = rot(mb_ldw(w + (o))), a1 = rot(mb_ldw(w + 8 + (o)));       \
    const uint32_t a2 = rot(mb_ldw(w + 16 + (o))), a3 = rot(mb_ldw(w + 24 + (o))); \
    uint32_t p = mb_pk_lo(a0, a2), q = mb_pk_lo(a1, a3);                           \
    ROWS(lo);                                                                      \
    p = mb_pk_hi(a0, a2), q = mb_pk_hi(a1, a3);                                    \
    ROWS(hi);                                                                      \
  } while (0)
#define MB_SX(v) __sxtb16(v)
#define MB_DSP_ROWS2(j) s0##j = __smlad(xa0, p, __smlad(xb0, q, s0##j)), \
                        s1##j = __smlad(xa1, p, __smlad(xb1, q, s1##j))
#define MB_DSP_QUAD(ROWS)                      \
  MB_DSP_PAIRS(0, MB_SX, 0, 2, ROWS);          \
  MB_DSP_PAIRS(0, mb_sxtb16_ror8, 1, 3, ROWS); \
  MB_DSP_PAIRS(4, MB_SX, 4, 6, ROWS);          \
  MB_DSP_PAIRS(4, mb_sxtb16_ror8, 5, 7, ROWS)

static MB_NOINLINE_ void block8_rows2(mb_gemm_job *job, const int8_t *a0, const int8_t *a1,
                                      const int8_t *w) {
  for (; job->c + 8 <= job->n; job->c += 8) {
    const int8_t *x0p = a0, *x1p = a1;
    const int32_t *b = job->rq->bias + job->c;
    int32_t s00 = b[0], s01 = b[1], s02 = b[2], s03 = b[3];
    int32_t s04 = b[4], s05 = b[5], s06 = b[6], s07 = b[7];
    int32_t s10 = s00, s11 = s01, s12 = s02, s13 = s03;
    int32_t s14 = s04, s15 = s05, s16 = s06, s17 = s07;
    for (int32_t seg = 0; seg < job->rows.segs; seg++) {
      const int32_t len = job->rows.len;
      for (const int8_t *const end = x0p + (len & ~3); x0p != end; x0p += 4, x1p += 4, w += 32) {
        MB_DSP_X(0);
        MB_DSP_X(1);
        MB_DSP_QUAD(MB_DSP_ROWS2);
      }
      for (int32_t i = 0; i < (len & 3); i++, w += 8) {
        const int32_t x0 = *x0p++, x1 = *x1p++;
        MB_TAPS8_2;
      }
      x0p += job->rows.stride - len, x1p += job->rows.stride - len;
    }
    MB_PARAMS;
    int8_t *y0 = job->y0 + c, *y1 = job->y1 + c;
    if (rq->relu) {
      MB_OUT2(0, 1); MB_OUT2(1, 1); MB_OUT2(2, 1); MB_OUT2(3, 1);
      MB_OUT2(4, 1); MB_OUT2(5, 1); MB_OUT2(6, 1); MB_OUT2(7, 1);
    } else {
      MB_OUT2(0, 0); MB_OUT2(1, 0); MB_OUT2(2, 0); MB_OUT2(3, 0);
      MB_OUT2(4, 0); MB_OUT2(5, 0); MB_OUT2(6, 0); MB_OUT2(7, 0);
    }
  }
}

/* One row: pairing the weights for SMLAD is not amortized over a second row; instead each
 * sign-extended weight halfword meets its input halfword in a 16 x 16 multiply-add (SMLAxy): a
 * weight word is one load and two SXTB16 for four channels, against four LDRSB. `x` holds the
 * input of the position in its bottom (H = b) or top (H = t) halfword. */
#define MB_DSP_K1(kk, x, H)                                                                 \
  do {                                                                                      \
    const uint32_t wl = mb_ldw(w + 8 * (kk)), wh = mb_ldw(w + 8 * (kk) + 4);                \
    const uint32_t e0 = __sxtb16(wl), o0 = mb_sxtb16_ror8(wl);                              \
    s00 = __smlab##H(e0, x, s00), s02 = __smlat##H(e0, x, s02);                             \
    s01 = __smlab##H(o0, x, s01), s03 = __smlat##H(o0, x, s03);                             \
    const uint32_t e1 = __sxtb16(wh), o1 = mb_sxtb16_ror8(wh);                              \
    s04 = __smlab##H(e1, x, s04), s06 = __smlat##H(e1, x, s06);                             \
    s05 = __smlab##H(o1, x, s05), s07 = __smlat##H(o1, x, s07);                             \
  } while (0)

static MB_NOINLINE_ void block8_rows1(const mb_gemm_job *job, const int8_t *a0, const int8_t *w) {
  const int32_t *b = job->rq->bias + job->c;
  int32_t s00 = b[0], s01 = b[1], s02 = b[2], s03 = b[3];
  int32_t s04 = b[4], s05 = b[5], s06 = b[6], s07 = b[7];
  const int8_t *x0p = a0;
  for (int32_t seg = 0; seg < job->rows.segs; seg++) {
    const int32_t len = job->rows.len;
    for (const int8_t *const end = x0p + (len & ~3); x0p != end; x0p += 4, w += 32) {
      MB_DSP_X(0);
      MB_DSP_K1(0, xa0, b);
      MB_DSP_K1(1, xb0, b);
      MB_DSP_K1(2, xa0, t);
      MB_DSP_K1(3, xb0, t);
    }
    for (int32_t i = 0; i < (len & 3); i++, w += 8) {
      const int32_t x0 = *x0p++;
      MB_TAPS8_1;
    }
    x0p += job->rows.stride - len;
  }
  MB_PARAMS;
  int8_t *y0 = job->y0 + c;
  if (rq->relu) {
    MB_OUT1(0, 1); MB_OUT1(1, 1); MB_OUT1(2, 1); MB_OUT1(3, 1);
    MB_OUT1(4, 1); MB_OUT1(5, 1); MB_OUT1(6, 1); MB_OUT1(7, 1);
  } else {
    MB_OUT1(0, 0); MB_OUT1(1, 0); MB_OUT1(2, 0); MB_OUT1(3, 0);
    MB_OUT1(4, 0); MB_OUT1(5, 0); MB_OUT1(6, 0); MB_OUT1(7, 0);
  }
}

#elif defined(MB_SIMD_VEXT)
/* RISC-V V: vectors run along k. Per chunk of up to VLMAX input positions: one load per row, one
 * strided load (stride 8: [k][8]) per channel, then per row and channel a widening multiply
 * (int8 x int8 -> int16) and a widening sum into the accumulator's element 0 (int32). */
#define MB_V_INIT(r, b)                                                                  \
  vint32m1_t v##r##0 = __riscv_vmv_s_x_i32m1(b[0], 1), v##r##1 = __riscv_vmv_s_x_i32m1(b[1], 1); \
  vint32m1_t v##r##2 = __riscv_vmv_s_x_i32m1(b[2], 1), v##r##3 = __riscv_vmv_s_x_i32m1(b[3], 1); \
  vint32m1_t v##r##4 = __riscv_vmv_s_x_i32m1(b[4], 1), v##r##5 = __riscv_vmv_s_x_i32m1(b[5], 1); \
  vint32m1_t v##r##6 = __riscv_vmv_s_x_i32m1(b[6], 1), v##r##7 = __riscv_vmv_s_x_i32m1(b[7], 1)
#define MB_V_PX(r, j) \
  v##r##j = __riscv_vwredsum_vs_i16m2_i32m1(__riscv_vwmul_vv_i16m2(x##r, wj, vl), v##r##j, vl)
#define MB_V_CH2(j)                                                  \
  do {                                                               \
    const vint8m1_t wj = __riscv_vlse8_v_i8m1(w + (j), 8, vl);       \
    MB_V_PX(0, j);                                                   \
    MB_V_PX(1, j);                                                   \
  } while (0)
#define MB_V_CH1(j)                                                  \
  do {                                                               \
    const vint8m1_t wj = __riscv_vlse8_v_i8m1(w + (j), 8, vl);       \
    MB_V_PX(0, j);                                                   \
  } while (0)
#define MB_V_OUT(r)                                                                          \
  const int32_t s##r##0 = __riscv_vmv_x_s_i32m1_i32(v##r##0);                                \
  const int32_t s##r##1 = __riscv_vmv_x_s_i32m1_i32(v##r##1);                                \
  const int32_t s##r##2 = __riscv_vmv_x_s_i32m1_i32(v##r##2);                                \
  const int32_t s##r##3 = __riscv_vmv_x_s_i32m1_i32(v##r##3);                                \
  const int32_t s##r##4 = __riscv_vmv_x_s_i32m1_i32(v##r##4);                                \
  const int32_t s##r##5 = __riscv_vmv_x_s_i32m1_i32(v##r##5);                                \
  const int32_t s##r##6 = __riscv_vmv_x_s_i32m1_i32(v##r##6);                                \
  const int32_t s##r##7 = __riscv_vmv_x_s_i32m1_i32(v##r##7)

static MB_NOINLINE_ void block8_rows2(mb_gemm_job *job, const int8_t *a0, const int8_t *a1,
                                      const int8_t *w) {
  for (; job->c + 8 <= job->n; job->c += 8) {
    const int8_t *x0p = a0, *x1p = a1;
    const int32_t *b = job->rq->bias + job->c;
    MB_V_INIT(0, b);
    MB_V_INIT(1, b);
    for (int32_t seg = 0; seg < job->rows.segs; seg++) {
      for (int32_t i = 0, len = job->rows.len; i < len;) {
        const size_t vl = __riscv_vsetvl_e8m1((size_t)(len - i));
        const vint8m1_t x0 = __riscv_vle8_v_i8m1(x0p + i, vl);
        const vint8m1_t x1 = __riscv_vle8_v_i8m1(x1p + i, vl);
        MB_V_CH2(0); MB_V_CH2(1); MB_V_CH2(2); MB_V_CH2(3);
        MB_V_CH2(4); MB_V_CH2(5); MB_V_CH2(6); MB_V_CH2(7);
        w += 8 * vl, i += (int32_t)vl;
      }
      x0p += job->rows.stride, x1p += job->rows.stride;
    }
    MB_V_OUT(0);
    MB_V_OUT(1);
    MB_PARAMS;
    int8_t *y0 = job->y0 + c, *y1 = job->y1 + c;
    if (rq->relu) {
      MB_OUT2(0, 1); MB_OUT2(1, 1); MB_OUT2(2, 1); MB_OUT2(3, 1);
      MB_OUT2(4, 1); MB_OUT2(5, 1); MB_OUT2(6, 1); MB_OUT2(7, 1);
    } else {
      MB_OUT2(0, 0); MB_OUT2(1, 0); MB_OUT2(2, 0); MB_OUT2(3, 0);
      MB_OUT2(4, 0); MB_OUT2(5, 0); MB_OUT2(6, 0); MB_OUT2(7, 0);
    }
  }
}

static MB_NOINLINE_ void block8_rows1(const mb_gemm_job *job, const int8_t *a0, const int8_t *w) {
  const int32_t *b = job->rq->bias + job->c;
  MB_V_INIT(0, b);
  for (int32_t seg = 0; seg < job->rows.segs; seg++) {
    for (int32_t i = 0, len = job->rows.len; i < len;) {
      const size_t vl = __riscv_vsetvl_e8m1((size_t)(len - i));
      const vint8m1_t x0 = __riscv_vle8_v_i8m1(a0 + i, vl);
      MB_V_CH1(0); MB_V_CH1(1); MB_V_CH1(2); MB_V_CH1(3);
      MB_V_CH1(4); MB_V_CH1(5); MB_V_CH1(6); MB_V_CH1(7);
      w += 8 * vl, i += (int32_t)vl;
    }
    a0 += job->rows.stride;
  }
  MB_V_OUT(0);
  MB_PARAMS;
  int8_t *y0 = job->y0 + c;
  if (rq->relu) {
    MB_OUT1(0, 1); MB_OUT1(1, 1); MB_OUT1(2, 1); MB_OUT1(3, 1);
    MB_OUT1(4, 1); MB_OUT1(5, 1); MB_OUT1(6, 1); MB_OUT1(7, 1);
  } else {
    MB_OUT1(0, 0); MB_OUT1(1, 0); MB_OUT1(2, 0); MB_OUT1(3, 0);
    MB_OUT1(4, 0); MB_OUT1(5, 0); MB_OUT1(6, 0); MB_OUT1(7, 0);
  }
}

#else
/* The hot loop: 2 rows x 8 channels, two input positions per iteration (half the loop overhead;
 * spill-free on RV32 with the scheduling pass off: 2.75 instructions per multiply-accumulate). */
static MB_NOINLINE_ void block8_rows2(mb_gemm_job *job, const int8_t *a0, const int8_t *a1,
                                      const int8_t *w) {
  /* every full block of 8 channels in one call: the callee-saved registers are saved once */
  for (; job->c + 8 <= job->n; job->c += 8) {
    const int8_t *x0p = a0, *x1p = a1;
    const int32_t *b = job->rq->bias + job->c;
    int32_t s00 = b[0], s01 = b[1], s02 = b[2], s03 = b[3];
    int32_t s04 = b[4], s05 = b[5], s06 = b[6], s07 = b[7];
    int32_t s10 = s00, s11 = s01, s12 = s02, s13 = s03;
    int32_t s14 = s04, s15 = s05, s16 = s06, s17 = s07;
    for (int32_t seg = 0; seg < job->rows.segs; seg++) {
      const int32_t len = job->rows.len;
      for (const int8_t *const end = x0p + (len & ~1); x0p != end; x0p += 2, x1p += 2) {
        int32_t x0 = x0p[0], x1 = x1p[0];
        MB_TAPS8_2;
        w += 8;
        x0 = x0p[1], x1 = x1p[1];
        MB_TAPS8_2;
        w += 8;
      }
      if (len & 1) {
        const int32_t x0 = *x0p++, x1 = *x1p++;
        MB_TAPS8_2;
        w += 8;
      }
      x0p += job->rows.stride - len, x1p += job->rows.stride - len;
    }
    MB_PARAMS;
    int8_t *y0 = job->y0 + c, *y1 = job->y1 + c;
    if (rq->relu) {
      MB_OUT2(0, 1); MB_OUT2(1, 1); MB_OUT2(2, 1); MB_OUT2(3, 1);
      MB_OUT2(4, 1); MB_OUT2(5, 1); MB_OUT2(6, 1); MB_OUT2(7, 1);
    } else {
      MB_OUT2(0, 0); MB_OUT2(1, 0); MB_OUT2(2, 0); MB_OUT2(3, 0);
      MB_OUT2(4, 0); MB_OUT2(5, 0); MB_OUT2(6, 0); MB_OUT2(7, 0);
    }
  }
}

#endif /* MB_SIMD_DSP / MB_SIMD_VEXT */

#if !defined(MB_SIMD_VEXT) && !defined(MB_SIMD_DSP)
/* One row x 8 channels (fully connected layers with one batch, the odd last pixel). */
static MB_NOINLINE_ void block8_rows1(const mb_gemm_job *job, const int8_t *a0, const int8_t *w) {
  const int32_t *b = job->rq->bias + job->c;
  int32_t s00 = b[0], s01 = b[1], s02 = b[2], s03 = b[3];
  int32_t s04 = b[4], s05 = b[5], s06 = b[6], s07 = b[7];
  for (int32_t seg = 0; seg < job->rows.segs; seg++) {
    const int32_t len = job->rows.len;
    for (const int8_t *const end = a0 + (len & ~1); a0 != end; a0 += 2) {
      int32_t x0 = a0[0];
      MB_TAPS8_1;
      w += 8;
      x0 = a0[1];
      MB_TAPS8_1;
      w += 8;
    }
    if (len & 1) {
      const int32_t x0 = *a0++;
      MB_TAPS8_1;
      w += 8;
    }
    a0 += job->rows.stride - len;
  }
  MB_PARAMS;
  int8_t *y0 = job->y0 + c;
  if (rq->relu) {
    MB_OUT1(0, 1); MB_OUT1(1, 1); MB_OUT1(2, 1); MB_OUT1(3, 1);
    MB_OUT1(4, 1); MB_OUT1(5, 1); MB_OUT1(6, 1); MB_OUT1(7, 1);
  } else {
    MB_OUT1(0, 0); MB_OUT1(1, 0); MB_OUT1(2, 0); MB_OUT1(3, 0);
    MB_OUT1(4, 0); MB_OUT1(5, 0); MB_OUT1(6, 0); MB_OUT1(7, 0);
  }
}

#endif /* !MB_SIMD_VEXT && !MB_SIMD_DSP */

/* The remaining channels (fewer than 8): a block of 4, then single channels; a1 may be 0. */
static void block4(const mb_gemm_job *job, const int8_t *a0, const int8_t *a1, const int8_t *w) {
  const int32_t *b = job->rq->bias + job->c;
  int32_t s00 = b[0], s01 = b[1], s02 = b[2], s03 = b[3];
  int32_t s10 = s00, s11 = s01, s12 = s02, s13 = s03;
  const int32_t len = job->rows.len, skip = job->rows.stride - len;
  for (int32_t seg = 0; seg < job->rows.segs; seg++, a0 += skip) {
    const int8_t *const end = a0 + len;
    if (a1) {
      for (; a0 != end; a0++, a1++, w += 4) {
        const int32_t x0 = *a0, x1 = *a1;
        MB_TAP2(0); MB_TAP2(1); MB_TAP2(2); MB_TAP2(3);
      }
      a1 += skip;
    } else {
      for (; a0 != end; a0++, w += 4) {
        const int32_t x0 = *a0;
        MB_TAP1(0); MB_TAP1(1); MB_TAP1(2); MB_TAP1(3);
      }
    }
  }
  MB_PARAMS;
  const int32_t relu = rq->relu;
  int8_t *y0 = job->y0 + c;
  if (a1) {
    int8_t *y1 = job->y1 + c;
    MB_OUT2(0, relu); MB_OUT2(1, relu); MB_OUT2(2, relu); MB_OUT2(3, relu);
  } else {
    MB_OUT1(0, relu); MB_OUT1(1, relu); MB_OUT1(2, relu); MB_OUT1(3, relu);
  }
}

static void block1(const mb_gemm_job *job, const int8_t *a0, const int8_t *a1, const int8_t *w) {
  int32_t s00 = job->rq->bias[job->c], s10 = s00;
  const int32_t len = job->rows.len, skip = job->rows.stride - len;
  for (int32_t seg = 0; seg < job->rows.segs; seg++, a0 += skip) {
    const int8_t *const end = a0 + len;
    if (a1) {
      for (; a0 != end; a0++, a1++, w++) {
        const int32_t x0 = *a0, x1 = *a1;
        MB_TAP2(0);
      }
      a1 += skip;
    } else {
      for (; a0 != end; a0++, w++) {
        const int32_t x0 = *a0;
        MB_TAP1(0);
      }
    }
  }
  MB_PARAMS;
  const int32_t relu = rq->relu;
  int8_t *y0 = job->y0 + c;
  if (a1) {
    int8_t *y1 = job->y1 + c;
    MB_OUT2(0, relu);
  } else {
    MB_OUT1(0, relu);
  }
}

void mb_gemm_s8_opt(const mb_requant_opt *rq, const mb_gemm_rows *rows, int32_t n,
                    const int8_t *a0, const int8_t *a1, const int8_t *w, int8_t *y0, int8_t *y1) {
  const int32_t k = rows->len * rows->segs;
  mb_gemm_job job = {rq, 0, y0, y1, *rows, n};
  if (a1) {
    block8_rows2(&job, a0, a1, w);
    w += job.c * k;
  } else {
    for (; job.c + 8 <= n; job.c += 8, w += 8 * k) block8_rows1(&job, a0, w);
  }
  if (job.c + 4 <= n) {
    block4(&job, a0, a1, w);
    job.c += 4;
    w += 4 * k;
  }
  for (; job.c < n; job.c++, w += k) block1(&job, a0, a1, w);
}

/* Always two rows (the convolutions: an odd last pixel passes its row twice, a1 = a0 and y1 = y0,
 * the same outputs written twice). Without a caller of the one-row case, block8_rows1 is not
 * linked: 1.3 kB less where no fully connected layer runs on the GEMM. */
void mb_gemm2_s8_opt(const mb_requant_opt *rq, const mb_gemm_rows *rows, int32_t n,
                     const int8_t *a0, const int8_t *a1, const int8_t *w, int8_t *y0,
                     int8_t *y1) {
  const int32_t k = rows->len * rows->segs;
  mb_gemm_job job = {rq, 0, y0, y1, *rows, n};
  block8_rows2(&job, a0, a1, w);
  w += job.c * k;
  if (job.c + 4 <= n) {
    block4(&job, a0, a1, w);
    job.c += 4;
    w += 4 * k;
  }
  for (; job.c < n; job.c++, w += k) block1(&job, a0, a1, w);
}
