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
