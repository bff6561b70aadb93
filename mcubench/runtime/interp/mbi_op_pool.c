/* AVERAGE_POOL_2D and MAX_POOL_2D preparation (shared); evaluation in mbi_op_avg_pool.c and
 * mbi_op_max_pool.c. int8 pooling does not requantize: input and output share one quantization.
 * float32 pooling (both tensors float32) keeps mb_pool_f32_params. */
#include "mbi.h"

int mbi_pool_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_POOL_2D || op->n_in < 1) return MBI_ERR_PARAMS;
  const int f32 = op->in[0] >= 0 && ctx->tensors[op->in[0]].type == MBI_TYPE_FLOAT32;
  const uint8_t type = f32 ? MBI_TYPE_FLOAT32 : MBI_TYPE_INT8;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!x || !y || x->rank != 4 || y->rank != 4) return MBI_ERR_TENSOR;
  /* schema: Pool2DOptions (padding, stride_w, stride_h, filter_width, filter_height, fused) */
  uint32_t padding = mbi_fb_uint(fb, options, 0, 1, 0);
  int32_t stride_w = mbi_fb_int(fb, options, 1, 4, 0), stride_h = mbi_fb_int(fb, options, 2, 4, 0);
  int32_t filter_w = mbi_fb_int(fb, options, 3, 4, 0), filter_h = mbi_fb_int(fb, options, 4, 4, 0);
  uint32_t fused = mbi_fb_uint(fb, options, 5, 1, 0);
  if (fb->err) return MBI_ERR_MODEL;

  int32_t out_h, out_w, pad_h, pad_w;
  int rc = mbi_window(padding, x->dims.h, filter_h, stride_h, 1, &out_h, &pad_h);
  if (rc == MBI_OK) rc = mbi_window(padding, x->dims.w, filter_w, stride_w, 1, &out_w, &pad_w);
  if (rc != MBI_OK) return rc;
  if (out_h != y->dims.h || out_w != y->dims.w || x->dims.n != y->dims.n ||
      x->dims.c != y->dims.c || filter_h > INT16_MAX || filter_w > INT16_MAX)
    return MBI_ERR_PARAMS;

  if (f32) {
    mb_pool_f32_params *f = (mb_pool_f32_params *)mbi_alloc(ctx, 1, sizeof(mb_pool_f32_params));
    if (!f) return MBI_ERR_ARENA;
    rc = mbi_activation_range_f32(fused, &f->act_min, &f->act_max);
    if (rc != MBI_OK) return rc;
    f->stride_h = (int16_t)stride_h, f->stride_w = (int16_t)stride_w;
    f->filter_h = (int16_t)filter_h, f->filter_w = (int16_t)filter_w;
    f->pad_h = (int16_t)pad_h, f->pad_w = (int16_t)pad_w;
    op->data = mbi_offset(ctx, f);
    return MBI_OK;
  }
  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  mb_pool_params *p = (mb_pool_params *)mbi_alloc(ctx, 1, sizeof(mb_pool_params));
  if (!p) return MBI_ERR_ARENA;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc != MBI_OK) return rc;
  mbi_f32_bits a, b;
  a.f = in_scale, b.f = out_scale;
  if (a.u != b.u || in_zp != out_zp)
    return MBI_ERR_PARAMS;
  rc = mbi_activation_range(fused, out_scale, out_zp, &p->act_min, &p->act_max);
  if (rc != MBI_OK) return rc;
  p->stride_h = (int16_t)stride_h, p->stride_w = (int16_t)stride_w;
  p->filter_h = (int16_t)filter_h, p->filter_w = (int16_t)filter_w;
  p->pad_h = (int16_t)pad_h, p->pad_w = (int16_t)pad_w;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}
