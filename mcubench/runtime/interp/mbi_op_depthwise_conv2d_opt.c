/* DEPTHWISE_CONV_2D on the optimized path (mbi_opt.h): 3x3 filters, depth multiplier 1, no
 * dilation, on aot's mb_depthwise_conv2d_s8_opt. That kernel keeps a channel's 9 taps in registers
 * for a whole output row, read as [channel][9]; the model holds them as 1HWC ([9][channel]), so
 * each eval first copies them into scratch after the kernel's ring of padded rows (9 bytes per
 * channel, a few instructions per channel against the row's work). Anything else goes to the
 * reference registration. */
#include "mbi_opt.h"

int mbi_depthwise_conv2d_opt_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                     const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_DEPTHWISE_CONV_2D)
    return mbi_opt_fallback(ctx, op, options_type, options);
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], MBI_TYPE_INT8, 0);
  const mbi_tensor *w = mbi_tensor_of(ctx, op->in[1], MBI_TYPE_INT8, 1);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, MBI_TYPE_INT8, 0);
  const mbi_tensor *b = mbi_tensor_of(ctx, op->in[2], MBI_TYPE_INT32, 1);
  /* schema: DepthwiseConv2DOptions (padding, stride_w, stride_h, depth_multiplier,
   * fused_activation_function, dilation_w_factor, dilation_h_factor) */
  uint32_t padding = mbi_fb_uint(fb, options, 0, 1, 0);
  int32_t stride_w = mbi_fb_int(fb, options, 1, 4, 0), stride_h = mbi_fb_int(fb, options, 2, 4, 0);
  int32_t multiplier = mbi_fb_int(fb, options, 3, 4, 0);
  uint32_t fused = mbi_fb_uint(fb, options, 4, 1, 0);
  int32_t dilation_w = mbi_fb_int(fb, options, 5, 4, 1);
  int32_t dilation_h = mbi_fb_int(fb, options, 6, 4, 1);
  if (fb->err) return MBI_ERR_MODEL;
  if (op->n_in < 2 || !x || !w || !y ||
      (op->in[2] >= 0 && !b) || x->rank != 4 || w->rank != 4 || y->rank != 4 ||
      w->dims.h != 3 || w->dims.w != 3 || w->dims.c != x->dims.c || y->dims.c != x->dims.c ||
      dilation_w != 1 || dilation_h != 1)
    return mbi_opt_fallback(ctx, op, options_type, options);
  const int32_t ch = y->dims.c;
  int rc;

  if (x->dims.n != y->dims.n || ch < 1 || w->dims.n != 1 || (multiplier != 0 && multiplier != 1))
    return MBI_ERR_PARAMS;
  if (b && mbi_bytes(b) != 4u * (uint32_t)ch) return MBI_ERR_PARAMS;
  int32_t out_h, out_w, pad_h, pad_w;
  rc = mbi_window(padding, x->dims.h, 3, stride_h, 1, &out_h, &pad_h);
  if (rc == MBI_OK) rc = mbi_window(padding, x->dims.w, 3, stride_w, 1, &out_w, &pad_w);
  if (rc != MBI_OK) return rc;
  if (out_h != y->dims.h || out_w != y->dims.w) return MBI_ERR_PARAMS;

  float in_scale;
  int32_t in_zp;
  const uint32_t top = ctx->top; /* released if the kernels do not cover it */
  mbi_dw_opt_data *p = (mbi_dw_opt_data *)mbi_alloc(ctx, 1, sizeof(mbi_dw_opt_data));
  if (!p) return MBI_ERR_ARENA;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) /* channel c's taps: c, c + ch, ..., c + 8 ch */
    rc = mbi_opt_output_stage(ctx, op, fused, (uint32_t)ch,
                              (const int8_t *)mbi_in_data(ctx, op->in[1]), 9, 1, ch, -in_zp,
                              &p->rq);
  if (rc == MBI_OPT_SLOW) {
    ctx->top = top;
    return mbi_opt_fallback(ctx, op, options_type, options);
  }
  if (rc != MBI_OK) return rc;
  p->stride_h = (int16_t)stride_h, p->stride_w = (int16_t)stride_w;
  p->pad_h = (int16_t)pad_h, p->pad_w = (int16_t)pad_w;
  p->pad_value = in_zp;
  p->ring = 3u * (uint32_t)((out_w - 1) * stride_w + 3) * (uint32_t)ch;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_depthwise_conv2d_opt_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_dw_opt_data *d = (const mbi_dw_opt_data *)mbi_record(ctx, op->data);
  const mb_dims *yd = &mbi_t(ctx, op->out)->dims;
  const int32_t ch = yd->c;
  int8_t *scratch = (int8_t *)mbi_opt_scratch(ctx, d->ring + 9u * (uint32_t)ch);
  if (!scratch) return MBI_ERR_ARENA;
  const int8_t *filter = (const int8_t *)mbi_in_data(ctx, op->in[1]);
  int8_t *taps = scratch + d->ring;
  for (int32_t c = 0; c < ch; c++, taps += 9) {
    const int8_t *f = filter + c;
    for (int32_t t = 0; t < 9; t++, f += ch) taps[t] = *f;
  }
  mb_depthwise_conv2d_opt_params p;
  p.stride_h = d->stride_h, p.stride_w = d->stride_w;
  p.pad_h = d->pad_h, p.pad_w = d->pad_w;
  p.pad_value = d->pad_value;
  p.scratch = scratch;
  p.rq = mbi_opt_rq(ctx, &d->rq);
  mb_depthwise_conv2d_s8_opt(&p, &mbi_t(ctx, op->in[0])->dims,
                             (const int8_t *)mbi_in_data(ctx, op->in[0]), scratch + d->ring, yd,
                             (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
