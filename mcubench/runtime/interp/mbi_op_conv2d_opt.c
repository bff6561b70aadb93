/* CONV_2D on the optimized path (mbi_opt.h): the GEMM over the model's OHWI filter. A dense 1x1
 * convolution (stride 1) reads the input rows in place; any other gathers four pixels' receptive
 * fields into im2col columns in scratch (4 * k bytes), padded positions holding the input zero
 * point so that the folded bias stays exact there. Grouped convolutions, other types and
 * multipliers that do not shift right go to the reference registration. */
#include "mbi_opt.h"

int mbi_conv2d_opt_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                           const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], MBI_TYPE_INT8, 0);
  const mbi_tensor *w = mbi_tensor_of(ctx, op->in[1], MBI_TYPE_INT8, 1);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, MBI_TYPE_INT8, 0);
  const mbi_tensor *b = mbi_tensor_of(ctx, op->in[2], MBI_TYPE_INT32, 1);
  if (options_type != MBI_OPT_CONV_2D || op->n_in < 2 || !x || !w || !y ||
      (op->in[2] >= 0 && !b) || x->rank != 4 || w->rank != 4 || y->rank != 4 ||
      w->dims.c != x->dims.c)
    return mbi_opt_fallback(ctx, op, options_type, options);
  const int32_t out_c = y->dims.c;
  int rc;

  /* schema: Conv2DOptions (padding, stride_w, stride_h, fused_activation_function,
   * dilation_w_factor, dilation_h_factor) */
  uint32_t padding = mbi_fb_uint(fb, options, 0, 1, 0);
  int32_t stride_w = mbi_fb_int(fb, options, 1, 4, 0), stride_h = mbi_fb_int(fb, options, 2, 4, 0);
  uint32_t fused = mbi_fb_uint(fb, options, 3, 1, 0);
  int32_t dilation_w = mbi_fb_int(fb, options, 4, 4, 1);
  int32_t dilation_h = mbi_fb_int(fb, options, 5, 4, 1);
  if (fb->err) return MBI_ERR_MODEL;
  if (x->dims.n != y->dims.n || out_c < 1 || w->dims.n != out_c) return MBI_ERR_PARAMS;
  if (b && mbi_bytes(b) != 4u * (uint32_t)out_c) return MBI_ERR_PARAMS;
  int32_t out_h, out_w, pad_h, pad_w;
  rc = mbi_window(padding, x->dims.h, w->dims.h, stride_h, dilation_h, &out_h, &pad_h);
  if (rc == MBI_OK)
    rc = mbi_window(padding, x->dims.w, w->dims.w, stride_w, dilation_w, &out_w, &pad_w);
  if (rc != MBI_OK) return rc;
  if (out_h != y->dims.h || out_w != y->dims.w) return MBI_ERR_PARAMS;

  float in_scale;
  int32_t in_zp;
  const uint32_t top = ctx->top; /* released if the kernels do not cover it */
  mbi_conv_opt_data *p = (mbi_conv_opt_data *)mbi_alloc(ctx, 1, sizeof(mbi_conv_opt_data));
  if (!p) return MBI_ERR_ARENA;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  const int32_t k = w->dims.h * w->dims.w * w->dims.c;
  if (rc == MBI_OK)
    rc = mbi_opt_output_stage(ctx, op, fused, (uint32_t)out_c,
                              (const int8_t *)mbi_in_data(ctx, op->in[1]), k, k, 1, -in_zp,
                              &p->rq);
  if (rc == MBI_OPT_SLOW) {
    ctx->top = top;
    return mbi_opt_fallback(ctx, op, options_type, options);
  }
  if (rc != MBI_OK) return rc;
  p->stride_h = (int16_t)stride_h, p->stride_w = (int16_t)stride_w;
  p->dilation_h = (int16_t)dilation_h, p->dilation_w = (int16_t)dilation_w;
  p->pad_h = (int16_t)pad_h, p->pad_w = (int16_t)pad_w;
  p->pad_value = in_zp;
  p->k = k;
  p->gemm = mbi_opt_gemm_index(k);
  p->dense = w->dims.h == 1 && w->dims.w == 1 && stride_h == 1 && stride_w == 1;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

static void fill(int8_t *dst, int32_t value, int32_t n) {
  for (int32_t i = 0; i < n; i++) dst[i] = (int8_t)value;
}

static void copy(int8_t *dst, const int8_t *src, int32_t n) {
  if ((((uintptr_t)dst | (uintptr_t)src | (uint32_t)n) & 3u) == 0) {
    mb_word *d = (mb_word *)(void *)dst;
    const mb_word *s = (const mb_word *)(const void *)src;
    for (int32_t i = 0; i < n; i += 4) *d++ = *s++;
  } else {
    for (int32_t i = 0; i < n; i++) dst[i] = src[i];
  }
}

/* Output pixel (oy, ox)'s receptive field as k bytes in (fy, fx, ic) order: the filter's order. */
static void im2col(const mbi_conv_opt_data *d, const mb_dims *in, const int8_t *in_b, int32_t f_h,
                   int32_t f_w, int32_t oy, int32_t ox, int8_t *col) {
  const int32_t in_c = in->c, run = f_w * in_c;
  const int32_t iy0 = oy * d->stride_h - d->pad_h, ix0 = ox * d->stride_w - d->pad_w;
  for (int32_t fy = 0; fy < f_h; fy++, col += run) {
    const int32_t iy = iy0 + fy * d->dilation_h;
    if (iy < 0 || iy >= in->h) {
      fill(col, d->pad_value, run);
      continue;
    }
    const int8_t *row = in_b + iy * in->w * in_c;
    if (d->dilation_w == 1) { /* the valid columns are one run */
      const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
      int32_t fx1 = in->w - ix0 < f_w ? in->w - ix0 : f_w;
      if (fx1 < fx0) fx1 = fx0;
      fill(col, d->pad_value, fx0 * in_c);
      copy(col + fx0 * in_c, row + (ix0 + fx0) * in_c, (fx1 - fx0) * in_c);
      fill(col + fx1 * in_c, d->pad_value, (f_w - fx1) * in_c);
      continue;
    }
    for (int32_t fx = 0; fx < f_w; fx++) {
      const int32_t ix = ix0 + fx * d->dilation_w;
      if (ix < 0 || ix >= in->w) fill(col + fx * in_c, d->pad_value, in_c);
      else copy(col + fx * in_c, row + ix * in_c, in_c);
    }
  }
}

int mbi_conv2d_opt_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_conv_opt_data *d = (const mbi_conv_opt_data *)mbi_record(ctx, op->data);
  const mb_requant_opt rq = mbi_opt_rq(ctx, &d->rq);
  const mbi_gemm_fn gemm = mbi_opt_gemm(d->gemm);
  const mb_dims *xd = &mbi_t(ctx, op->in[0])->dims, *wd = &mbi_t(ctx, op->in[1])->dims;
  const mb_dims *yd = &mbi_t(ctx, op->out)->dims;
  const int8_t *in = (const int8_t *)mbi_in_data(ctx, op->in[0]);
  const int8_t *filter = (const int8_t *)mbi_in_data(ctx, op->in[1]);
  int8_t *out = (int8_t *)mbi_out_data(ctx, op->out);
  const int32_t k = d->k, out_c = yd->c, pixels = yd->h * yd->w;
  if (d->dense) { /* input pixel i is output pixel i, over all batches */
    gemm(&rq, k, yd->n * pixels, out_c, in, filter, out);
    return MBI_OK;
  }
  int8_t *col = (int8_t *)mbi_opt_scratch(ctx, 4u * (uint32_t)k);
  if (!col) return MBI_ERR_ARENA;
  for (int32_t b = 0; b < yd->n; b++) {
    const int8_t *in_b = in + b * xd->h * xd->w * xd->c;
    int8_t *out_b = out + b * pixels * out_c;
    int32_t oy = 0, ox = 0;
    for (int32_t i = 0; i < pixels; i += 4) { /* groups of four pixels, the last one shorter */
      const int32_t count = pixels - i < 4 ? pixels - i : 4;
      for (int32_t r = 0; r < count; r++) {
        im2col(d, xd, in_b, wd->h, wd->w, oy, ox, col + r * k);
        if (++ox == yd->w) ox = 0, oy++;
      }
      gemm(&rq, k, count, out_c, col, filter, out_b + i * out_c);
    }
  }
  return MBI_OK;
}
