/* int8 DEPTHWISE_CONV_2D for 3x3 filters, depth multiplier 1, no dilation: results identical to
 * mb_depthwise_conv2d_s8.
 *
 * The three input rows an output row needs are kept padded in scratch: a ring of three rows, each
 * (out_w - 1) * stride_w + 3 columns wide, padding = the input zero point (so the loops never test
 * borders and the folded bias stays exact); a new input row is copied (word-wise) over the row it
 * replaces. Per output row and channel, the 9 weights and the channel's parameters stay in
 * registers while the window slides along the row: each input column is loaded once and its three
 * products are added to the outputs it belongs to (stride 1: right column of output j, middle of
 * j+1, left of j+2). */
#include <stdint.h>

#include "mb_kernels_opt.h"

#if defined(__GNUC__)
#define MB_INLINE static inline __attribute__((always_inline))
#else
#define MB_INLINE static inline
#endif

/* Input row `src` (or padding only, src == 0) into a padded ring row. */
static void load_row(int8_t *dst, const int8_t *src, int32_t value, int32_t left, int32_t valid,
                     int32_t cols, int32_t ch) {
  int8_t *const end = dst + cols * ch;
  if (src) {
    for (int8_t *const stop = dst + left * ch; dst < stop;) *dst++ = (int8_t)value;
    const int32_t n = valid * ch;
    if ((((uintptr_t)dst | (uintptr_t)src | (uint32_t)n) & 3u) == 0) {
      mb_word *d = (mb_word *)(void *)dst;
      const mb_word *s = (const mb_word *)(const void *)src;
      for (mb_word *const stop = d + n / 4; d < stop;) *d++ = *s++;
    } else {
      for (int32_t i = 0; i < n; i++) dst[i] = src[i];
    }
    dst += n;
  }
  while (dst < end) *dst++ = (int8_t)value;
}

/* The products of one input column (top, middle, bottom rows at t, m, d) with filter column f. */
#define MB_COL(f, t, m, d) ((t) * w[f] + (m) * w[3 + (f)] + (d) * w[6 + (f)])

/* One output row of one channel. q0..q2: the channel's first byte in the three padded rows (column
 * stride ch), w: its 9 taps, o: its first output (stride ch). Inlined with constant `relu` and `sw`
 * (1, 2, or any other), so each variant keeps its working set in registers. */
MB_INLINE void dw_row(const int8_t *restrict q0, const int8_t *restrict q1,
                      const int8_t *restrict q2, const int32_t w[9], int32_t bias, int32_t mult,
                      int32_t shift, int8_t *restrict o, int32_t n, int32_t ch, int32_t zp,
                      int32_t act_min, int32_t act_max, int32_t relu, int32_t sw) {
  int8_t *const o_end = o + n * ch;
  if (sw == 1) {
    /* acc_a: the output two columns back (left and middle added), acc_b: one back (left) */
    int32_t acc_b = bias + MB_COL(0, q0[0], q1[0], q2[0]);
    int32_t acc_a = acc_b + MB_COL(1, q0[ch], q1[ch], q2[ch]);
    acc_b = bias + MB_COL(0, q0[ch], q1[ch], q2[ch]);
    q0 += 2 * ch, q1 += 2 * ch, q2 += 2 * ch;
    for (; o < o_end; o += ch, q0 += ch, q1 += ch, q2 += ch) {
      const int32_t t = *q0, m = *q1, d = *q2;
      *o = mb_out_s8(acc_a + MB_COL(2, t, m, d), mult, shift, relu, zp, act_min, act_max);
      acc_a = acc_b + MB_COL(1, t, m, d);
      acc_b = bias + MB_COL(0, t, m, d);
    }
  } else if (sw == 2) {
    int32_t acc = bias + MB_COL(0, q0[0], q1[0], q2[0]);
    q0 += ch, q1 += ch, q2 += ch;
    for (const int32_t step = 2 * ch; o < o_end; o += ch, q0 += step, q1 += step, q2 += step) {
      const int32_t t = q0[0], m = q1[0], d = q2[0];
      const int32_t t2 = q0[ch], m2 = q1[ch], d2 = q2[ch];
      *o = mb_out_s8(acc + MB_COL(1, t, m, d) + MB_COL(2, t2, m2, d2), mult, shift, relu, zp,
                     act_min, act_max);
      acc = bias + MB_COL(0, t2, m2, d2);
    }
  } else {
    for (const int32_t step = sw * ch; o < o_end; o += ch, q0 += step, q1 += step, q2 += step) {
      const int32_t acc = bias + MB_COL(0, q0[0], q1[0], q2[0]) +
                          MB_COL(1, q0[ch], q1[ch], q2[ch]) +
                          MB_COL(2, q0[2 * ch], q1[2 * ch], q2[2 * ch]);
      *o = mb_out_s8(acc, mult, shift, relu, zp, act_min, act_max);
    }
  }
}

/* All channels of one output row from the padded rows r[0..2]. */
MB_INLINE void dw_channels(const int8_t *const r[3], const int8_t *filter, int8_t *out_row,
                           int32_t n, int32_t ch, const mb_requant_opt *rq, int32_t relu,
                           int32_t sw) {
  const int32_t zp = rq->output_offset, act_min = rq->act_min, act_max = rq->act_max;
  const int32_t *bias = rq->bias, *mult = rq->mult; /* per channel (fold.py expands per tensor) */
  const int8_t *shift = rq->shift;
  const int8_t *q0 = r[0], *q1 = r[1], *q2 = r[2];
  for (int32_t c = 0; c < ch; c++, filter += 9) {
    const int32_t w[9] = {filter[0], filter[1], filter[2], filter[3], filter[4],
                          filter[5], filter[6], filter[7], filter[8]};
    dw_row(q0 + c, q1 + c, q2 + c, w, bias[c], mult[c], shift[c], out_row + c, n, ch, zp,
           act_min, act_max, relu, sw);
  }
}

/* The row functions, one per case (stride 1 or 2, relu or not; any other stride generic): the
 * backend names the one an op needs, so a model links only the cases it has (each ~0.5 kB). */
void mb_dw_rows_s1_relu(const int8_t *const r[3], const int8_t *filter, int8_t *out_row,
                        int32_t n, int32_t ch, const mb_requant_opt *rq, int32_t sw) {
  (void)sw;
  dw_channels(r, filter, out_row, n, ch, rq, 1, 1);
}
void mb_dw_rows_s1(const int8_t *const r[3], const int8_t *filter, int8_t *out_row, int32_t n,
                   int32_t ch, const mb_requant_opt *rq, int32_t sw) {
  (void)sw;
  dw_channels(r, filter, out_row, n, ch, rq, 0, 1);
}
void mb_dw_rows_s2_relu(const int8_t *const r[3], const int8_t *filter, int8_t *out_row,
                        int32_t n, int32_t ch, const mb_requant_opt *rq, int32_t sw) {
  (void)sw;
  dw_channels(r, filter, out_row, n, ch, rq, 1, 2);
}
void mb_dw_rows_s2(const int8_t *const r[3], const int8_t *filter, int8_t *out_row, int32_t n,
                   int32_t ch, const mb_requant_opt *rq, int32_t sw) {
  (void)sw;
  dw_channels(r, filter, out_row, n, ch, rq, 0, 2);
}
void mb_dw_rows_any(const int8_t *const r[3], const int8_t *filter, int8_t *out_row, int32_t n,
                    int32_t ch, const mb_requant_opt *rq, int32_t sw) {
  dw_channels(r, filter, out_row, n, ch, rq, rq->relu, sw);
}

#if defined(MB_SIMD_VEXT)
/* RISC-V V: channels are the lanes (up to 8 per chunk, int32 in m2). Per chunk, the 9 taps are 9
 * strided loads (stride 9: [channel][9]) kept in registers; per output, 9 loads of 8 contiguous
 * input channels, widening multiplies (int8 x int8 -> int16) and widening adds into int32, then
 * mb_out_s8 lane-wise: vmul/vmulhsu for the 64-bit product's words, arithmetic shifts by the
 * per-channel shift, clamp, narrowing to int8. Any stride. */
#define MB_V_TAP(k, fy, fx)                                                                   \
  acc = __riscv_vwadd_wv_i32m2(                                                               \
      acc, __riscv_vwmul_vv_i16m1(__riscv_vle8_v_i8mf2(r[fy] + (x * sw + (fx)) * ch + c, vl), \
                                  w##k, vl),                                                  \
      vl)
static void dw_channels_v(const int8_t *const r[3], const int8_t *filter, int8_t *out_row,
                          int32_t n, int32_t ch, const mb_requant_opt *rq, int32_t sw) {
  const int32_t zp1 = 1 + 2 * rq->output_offset, act_min = rq->act_min, act_max = rq->act_max;
  const int32_t relu = rq->relu;
  for (int32_t c = 0; c < ch;) {
    const size_t vl = __riscv_vsetvl_e32m2((size_t)(ch - c));
    const int8_t *f = filter + 9 * c;
#define MB_V_W(k) const vint8mf2_t w##k = __riscv_vlse8_v_i8mf2(f + (k), 9, vl)
    MB_V_W(0); MB_V_W(1); MB_V_W(2);
    MB_V_W(3); MB_V_W(4); MB_V_W(5);
    MB_V_W(6); MB_V_W(7); MB_V_W(8);
    const vint32m2_t bias = __riscv_vle32_v_i32m2(rq->bias + c, vl);
    const vuint32m2_t mult = __riscv_vle32_v_u32m2((const uint32_t *)rq->mult + c, vl);
    const vuint32m2_t shift = __riscv_vreinterpret_v_i32m2_u32m2(
        __riscv_vsext_vf4_i32m2(__riscv_vle8_v_i8mf2(rq->shift + c, vl), vl));
    for (int32_t x = 0; x < n; x++) {
      vint32m2_t acc = bias;
      MB_V_TAP(0, 0, 0); MB_V_TAP(1, 0, 1); MB_V_TAP(2, 0, 2);
      MB_V_TAP(3, 1, 0); MB_V_TAP(4, 1, 1); MB_V_TAP(5, 1, 2);
      MB_V_TAP(6, 2, 0); MB_V_TAP(7, 2, 1); MB_V_TAP(8, 2, 2);
      /* mb_out_s8: high word of acc * mult2 plus the top bit of the low word */
      const vuint32m2_t lo = __riscv_vreinterpret_v_i32m2_u32m2(
          __riscv_vmul_vv_i32m2(acc, __riscv_vreinterpret_v_u32m2_i32m2(mult), vl));
      vint32m2_t v = __riscv_vadd_vv_i32m2(
          __riscv_vmulhsu_vv_i32m2(acc, mult, vl),
          __riscv_vreinterpret_v_u32m2_i32m2(__riscv_vsrl_vx_u32m2(lo, 31, vl)), vl);
      if (!relu) v = __riscv_vadd_vv_i32m2(v, __riscv_vsra_vx_i32m2(v, 31, vl), vl);
      v = __riscv_vsra_vx_i32m2(__riscv_vadd_vx_i32m2(__riscv_vsra_vv_i32m2(v, shift, vl), zp1, vl),
                                1, vl);
      v = __riscv_vmin_vx_i32m2(__riscv_vmax_vx_i32m2(v, act_min, vl), act_max, vl);
      __riscv_vse8_v_i8mf2(out_row + x * ch + c,
                           __riscv_vncvt_x_x_w_i8mf2(__riscv_vncvt_x_x_w_i16m1(v, vl), vl), vl);
    }
    c += (int32_t)vl;
  }
}
#endif

void mb_depthwise_conv2d_s8_opt(const mb_depthwise_conv2d_opt_params *p, const mb_dims *in_dims,
                                const int8_t *in, const int8_t *filter, const mb_dims *out_dims,
                                int8_t *out) {
  const int32_t sw = p->stride_w, relu = p->rq.relu;
  mb_dw_rows_fn *rows = sw == 1 ? (relu ? mb_dw_rows_s1_relu : mb_dw_rows_s1)
                        : sw == 2 ? (relu ? mb_dw_rows_s2_relu : mb_dw_rows_s2)
                                  : mb_dw_rows_any;
  mb_depthwise_conv2d_s8_opt_rows(p, in_dims, in, filter, out_dims, out, rows);
}

void mb_depthwise_conv2d_s8_opt_rows(const mb_depthwise_conv2d_opt_params *p,
                                     const mb_dims *in_dims, const int8_t *in,
                                     const int8_t *filter, const mb_dims *out_dims, int8_t *out,
                                     mb_dw_rows_fn *rows) {
  const int32_t in_h = in_dims->h, in_w = in_dims->w, ch = in_dims->c;
  const int32_t out_h = out_dims->h, out_w = out_dims->w;
  const int32_t sh = p->stride_h, sw = p->stride_w;
  const int32_t cols = (out_w - 1) * sw + 3; /* padded row width */
  const int32_t left = p->pad_w;
  const int32_t valid = in_w < cols - left ? in_w : cols - left;
  const mb_requant_opt *rq = &p->rq;

  for (int32_t b = 0; b < out_dims->n; b++) {
    const int8_t *in_b = in + b * in_h * in_w * ch;
    int8_t *out_b = out + b * out_h * out_w * ch;
    int32_t held[3] = {-1000, -1000, -1000}; /* which input row each ring slot holds */
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int8_t *r[3];
      for (int32_t t = 0; t < 3; t++) { /* filter row t reads input row oy * sh - pad_h + t */
        const int32_t iy = oy * sh - p->pad_h + t, slot = (iy + 3) % 3;
        int8_t *row = p->scratch + slot * cols * ch;
        if (held[slot] != iy) {
          load_row(row, iy < 0 || iy >= in_h ? 0 : in_b + iy * in_w * ch, p->pad_value, left,
                   valid, cols, ch);
          held[slot] = iy;
        }
        r[t] = row;
      }
      int8_t *out_row = out_b + oy * out_w * ch;
#if defined(MB_SIMD_VEXT)
      (void)rows; /* the vector loop takes every case */
      dw_channels_v(r, filter, out_row, out_w, ch, rq, sw);
#else
      rows(r, filter, out_row, out_w, ch, rq, sw);
#endif
    }
  }
}
