/* CONV_2D and DEPTHWISE_CONV_2D preparation (one function: the two differ only in the filter's
 * layout and options table). Evaluation is in mbi_op_conv2d.c / mbi_op_depthwise_conv2d.c. */
#include "mbi.h"
#include "mbi_s16.h"

int mbi_conv_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options,
                     int depthwise) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != (depthwise ? MBI_OPT_DEPTHWISE_CONV_2D : MBI_OPT_CONV_2D) || op->n_in < 2)
    return MBI_ERR_PARAMS;
  /* float32: all tensors float32, the bias too; else int8 with an int32 bias */
  const int f32 = op->in[0] >= 0 && ctx->tensors[op->in[0]].type == MBI_TYPE_FLOAT32;
  /* int16 (16x8): an int8 filter and an int64 bias (CONV_2D also takes an int32 one) */
  const int s16 = op->in[0] >= 0 && ctx->tensors[op->in[0]].type == MBI_TYPE_INT16;
  const uint8_t act = f32 ? MBI_TYPE_FLOAT32 : (s16 ? MBI_TYPE_INT16 : MBI_TYPE_INT8);
  const int bias64 = s16 && op->in[2] >= 0 && (depthwise ||
                                               ctx->tensors[op->in[2]].type != MBI_TYPE_INT32);
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], act, 0);
  const mbi_tensor *w = mbi_tensor_of(ctx, op->in[1], s16 ? MBI_TYPE_INT8 : act, 1);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, act, 0);
  const mbi_tensor *b = mbi_tensor_of(ctx, op->in[2], f32 ? MBI_TYPE_FLOAT32 :
                                      (bias64 ? MBI_TYPE_INT64 : MBI_TYPE_INT32), 1);
  if (!x || !w || !y || (op->in[2] >= 0 && !b)) return MBI_ERR_TENSOR;
  if (x->rank != 4 || w->rank != 4 || y->rank != 4) return MBI_ERR_TENSOR;

  /* schema: Conv2DOptions (padding, stride_w, stride_h, fused_activation_function,
   * dilation_w_factor, dilation_h_factor); DepthwiseConv2DOptions has depth_multiplier at 3 */
  const uint32_t d = depthwise ? 1 : 0;
  uint32_t padding = mbi_fb_uint(fb, options, 0, 1, 0);
  int32_t stride_w = mbi_fb_int(fb, options, 1, 4, 0), stride_h = mbi_fb_int(fb, options, 2, 4, 0);
  int32_t multiplier = depthwise ? mbi_fb_int(fb, options, 3, 4, 0) : 1;
  uint32_t fused = mbi_fb_uint(fb, options, 3 + d, 1, 0);
  int32_t dilation_w = mbi_fb_int(fb, options, 4 + d, 4, 1);
  int32_t dilation_h = mbi_fb_int(fb, options, 5 + d, 4, 1);
  if (fb->err) return MBI_ERR_MODEL;

  const int32_t out_c = y->dims.c;
  if (x->dims.n != y->dims.n || out_c < 1 || x->dims.c < 1) return MBI_ERR_PARAMS;
  if (depthwise) { /* filter 1 x H x W x (C * M) */
    if (w->dims.n != 1 || w->dims.c != out_c || out_c % x->dims.c != 0) return MBI_ERR_PARAMS;
    if (multiplier != 0 && multiplier != out_c / x->dims.c) return MBI_ERR_PARAMS;
    multiplier = out_c / x->dims.c;
  } else { /* filter O x H x W x I; I < C: grouped convolution */
    if (w->dims.n != out_c || w->dims.c < 1 || x->dims.c % w->dims.c != 0 ||
        out_c % (x->dims.c / w->dims.c) != 0)
      return MBI_ERR_PARAMS;
  }
  if (b && mbi_bytes(b) != mbi_type_bytes(b->type) * (uint32_t)out_c) return MBI_ERR_PARAMS;
  int32_t out_h, out_w, pad_h, pad_w;
  int rc = mbi_window(padding, x->dims.h, w->dims.h, stride_h, dilation_h, &out_h, &pad_h);
  if (rc == MBI_OK)
    rc = mbi_window(padding, x->dims.w, w->dims.w, stride_w, dilation_w, &out_w, &pad_w);
  if (rc != MBI_OK) return rc;
  if (out_h != y->dims.h || out_w != y->dims.w || multiplier > INT16_MAX) return MBI_ERR_PARAMS;

  if (f32) { /* no quantization: the geometry and the activation's clamp */
    mbi_conv_f32_data *f = (mbi_conv_f32_data *)mbi_alloc(ctx, 1, sizeof(mbi_conv_f32_data));
    if (!f) return MBI_ERR_ARENA;
    rc = mbi_activation_range_f32(fused, &f->act_min, &f->act_max);
    if (rc != MBI_OK) return rc;
    f->stride_h = (int16_t)stride_h, f->stride_w = (int16_t)stride_w;
    f->dilation_h = (int16_t)dilation_h, f->dilation_w = (int16_t)dilation_w;
    f->pad_h = (int16_t)pad_h, f->pad_w = (int16_t)pad_w;
    f->depth_multiplier = (int16_t)multiplier;
    op->data = mbi_offset(ctx, f);
    return MBI_OK;
  }
  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  mbi_conv_data *p = (mbi_conv_data *)mbi_alloc(ctx, 1, sizeof(mbi_conv_data));
  if (!p) return MBI_ERR_ARENA;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc == MBI_OK)
    rc = s16 ? mbi_activation_range_s16(fused, out_scale, &p->act_min, &p->act_max)
             : mbi_activation_range(fused, out_scale, out_zp, &p->act_min, &p->act_max);
  if (rc == MBI_OK)
    rc = mbi_prepare_requant(ctx, op->in[0], op->in[1], op->out, (uint32_t)out_c, &p->requant);
  if (rc == MBI_OK && s16) /* no bias: TFLite Micro's int64 path too */
    rc = mbi_check_s16(ctx, in_zp, out_zp, !b || bias64, p->requant, (uint32_t)out_c);
  if (rc != MBI_OK) return rc;
  p->stride_h = (int16_t)stride_h, p->stride_w = (int16_t)stride_w;
  p->dilation_h = (int16_t)dilation_h, p->dilation_w = (int16_t)dilation_w;
  p->pad_h = (int16_t)pad_h, p->pad_w = (int16_t)pad_w;
  p->depth_multiplier = (int16_t)multiplier;
  p->input_offset = -in_zp;
  p->output_offset = out_zp;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}
