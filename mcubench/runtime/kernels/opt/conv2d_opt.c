/* int8 CONV_2D (no groups) on the GEMM: results identical to mb_conv2d_s8.
 *
 * Output pixels are computed in pairs (the GEMM's two rows). A pixel whose receptive field lies
 * inside the input is read in place: f_h runs of f_w * in_c contiguous bytes (with stride 1, 1x1
 * filters are just consecutive rows). At the borders the field is first gathered into an im2col
 * column in scratch, padded positions holding the input zero point, so that the folded bias stays
 * exact there too. */
#include <stdint.h>

#include "mb_kernels_opt.h"

static void copy_bytes(int8_t *dst, const int8_t *src, int32_t n) {
  if ((((uintptr_t)dst | (uintptr_t)src | (uint32_t)n) & 3u) == 0) {
    mb_word *d = (mb_word *)(void *)dst;
    const mb_word *s = (const mb_word *)(const void *)src;
    for (int32_t i = 0; i < n; i += 4) *d++ = *s++;
  } else {
    for (int32_t i = 0; i < n; i++) dst[i] = src[i];
  }
}

static void fill_bytes(int8_t *dst, int32_t value, int32_t n) {
  for (int32_t i = 0; i < n; i++) dst[i] = (int8_t)value;
}

void mb_im2col_s8(const mb_conv2d_opt_params *p, const mb_dims *in_dims, const int8_t *in_b,
                  int32_t f_h, int32_t f_w, int32_t oy, int32_t ox, int8_t *col) {
  const int32_t in_h = in_dims->h, in_w = in_dims->w, in_c = in_dims->c;
  const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
  const int32_t dh = p->dilation_h, dw = p->dilation_w;
  const int32_t row_bytes = f_w * in_c;
  for (int32_t fy = 0; fy < f_h; fy++, col += row_bytes) {
    const int32_t iy = iy0 + fy * dh;
    if (iy < 0 || iy >= in_h) {
      fill_bytes(col, p->pad_value, row_bytes);
      continue;
    }
    const int8_t *row = in_b + iy * in_w * in_c;
    if (dw == 1) { /* the valid columns are one contiguous run */
      const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
      const int32_t fx1 = in_w - ix0 < f_w ? in_w - ix0 : f_w;
      if (fx1 <= fx0) {
        fill_bytes(col, p->pad_value, row_bytes);
        continue;
      }
      fill_bytes(col, p->pad_value, fx0 * in_c);
      copy_bytes(col + fx0 * in_c, row + (ix0 + fx0) * in_c, (fx1 - fx0) * in_c);
      fill_bytes(col + fx1 * in_c, p->pad_value, (f_w - fx1) * in_c);
    } else {
      for (int32_t fx = 0; fx < f_w; fx++) {
        const int32_t ix = ix0 + fx * dw;
        if (ix < 0 || ix >= in_w) {
          fill_bytes(col + fx * in_c, p->pad_value, in_c);
        } else {
          copy_bytes(col + fx * in_c, row + ix * in_c, in_c);
        }
      }
    }
  }
}

void mb_conv2d_s8_opt(const mb_conv2d_opt_params *p, const mb_dims *in_dims, const int8_t *in,
                      const mb_dims *filter_dims, const int8_t *filter, const mb_dims *out_dims,
                      int8_t *out) {
  const int32_t in_h = in_dims->h, in_w = in_dims->w, in_c = in_dims->c;
  const int32_t f_h = filter_dims->h, f_w = filter_dims->w;
  const int32_t out_h = out_dims->h, out_w = out_dims->w, out_c = out_dims->c;
  const int32_t k = f_h * f_w * in_c;
  const int32_t pixels = out_h * out_w;
  const mb_requant_opt *rq = &p->rq;
  /* a receptive field in place: f_h runs of f_w * in_c bytes (needs dilation_w 1), or a column */
  const mb_gemm_rows field = {f_w * in_c, f_h, p->dilation_h * in_w * in_c};
  const mb_gemm_rows column = {k, 1, k};
  /* in place needs contiguous runs; short runs cost more in loop overhead (per run and 8-channel
   * block) than gathering them once. 1x1 filters (one run, no padding) are always in place: the
   * backend gives them no scratch. */
  const int32_t pointwise = f_h == 1 && f_w == 1;
  const int32_t in_place = pointwise || (p->dilation_w == 1 && (field.len >= 8 || out_c <= 8));
  const int32_t dense = pointwise && p->stride_h == 1 && p->stride_w == 1;
  const int32_t span_h = (f_h - 1) * p->dilation_h, span_w = (f_w - 1) * p->dilation_w;

  for (int32_t b = 0; b < out_dims->n; b++) {
    const int8_t *in_b = in + b * in_h * in_w * in_c;
    int8_t *out_b = out + b * pixels * out_c;
    if (dense) { /* 1x1, stride 1: input pixel i is output pixel i */
      for (int32_t i = 0; i < pixels; i += 2) { /* an odd last pixel as a pair with itself */
        const int32_t j = i + 1 < pixels ? i + 1 : i;
        mb_gemm2_s8_opt(rq, &column, out_c, in_b + i * k, in_b + j * k, filter,
                        out_b + i * out_c, out_b + j * out_c);
      }
      continue;
    }
    /* Pixels in pairs; a pair whose fields are both inside the input is read in place, any other
     * is gathered into two im2col columns first. */
    int32_t n = 0, first = 0, pend_y[2] = {0, 0}, pend_x[2] = {0, 0}, inside = 1;
    for (int32_t oy = 0, i = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      const int32_t row_in = iy0 >= 0 && iy0 + span_h < in_h;
      for (int32_t ox = 0; ox < out_w; ox++, i++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        if (n == 0) first = i;
        pend_y[n] = oy, pend_x[n] = ox;
        inside = inside && row_in && in_place && ix0 >= 0 && ix0 + span_w < in_w;
        if (++n < 2 && i + 1 < pixels) continue;
        const int8_t *rows[2] = {0, 0};
        for (int32_t j = 0; j < n; j++) {
          if (inside) {
            rows[j] = in_b + ((pend_y[j] * p->stride_h - p->pad_h) * in_w +
                              pend_x[j] * p->stride_w - p->pad_w) * in_c;
          } else {
            mb_im2col_s8(p, in_dims, in_b, f_h, f_w, pend_y[j], pend_x[j], p->scratch + j * k);
            rows[j] = p->scratch + j * k;
          }
        }
        int8_t *const y0 = out_b + first * out_c;
        mb_gemm2_s8_opt(rq, inside ? &field : &column, out_c, rows[0], n == 2 ? rows[1] : rows[0],
                        filter, y0, n == 2 ? y0 + out_c : y0);
        n = 0, inside = 1;
      }
    }
  }
}
