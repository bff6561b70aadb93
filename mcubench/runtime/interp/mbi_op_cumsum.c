/* CUMSUM of an int8 or float32 tensor of rank 1..6 along the axis of a constant int32 tensor of one
 * value (mb_cumsum.h). Prepare is TFLite Micro's CalculateOpData: 20 bits of headroom, input scale
 * / twice the input scale and twice the input scale / (2^20 x output scale) as multipliers below
 * one (mcubench/ops/cumsum.py computes the same offline). */
#include "mb_cumsum.h"
#include "mbi_reduce.h"

#define MBI_OPT_CUMSUM 102 /* BuiltinOptions: CumsumOptions */
#define CUMSUM_LEFT_SHIFT 20

int mbi_cumsum_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  static const uint8_t types[2] = {MBI_TYPE_INT8, MBI_TYPE_FLOAT32};
  mbi_fb *fb = &ctx->fb;
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_CUMSUM && options_type != 0) return MBI_ERR_PARAMS;
  const uint32_t exclusive = mbi_fb_uint(fb, options, 0, 1, 0);
  const uint32_t reverse = mbi_fb_uint(fb, options, 1, 1, 0);
  if (fb->err) return MBI_ERR_MODEL;
  const uint8_t type = mbi_reduce_type(ctx, op, types, 2);
  if (type == 0xff) return MBI_ERR_TENSOR;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!x || !y) return MBI_ERR_TENSOR;
  if (mbi_bytes(x) != mbi_bytes(y)) return MBI_ERR_PARAMS;
  mb_cumsum_params *p = (mb_cumsum_params *)mbi_alloc(ctx, 1, sizeof(mb_cumsum_params));
  if (!p) return MBI_ERR_ARENA;
  int rc = mbi_axis_split(ctx, op, 1, op->in[0], &p->outer, &p->extent, &p->inner);
  if (rc != MBI_OK) return rc;
  p->exclusive = exclusive != 0, p->reverse = reverse != 0;
  op->data = mbi_offset(ctx, p);
  if (type == MBI_TYPE_FLOAT32) return MBI_OK;

  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc != MBI_OK) return rc;
  const double twice = 2.0 * (double)in_scale;
  const double real = twice / ((double)(1 << CUMSUM_LEFT_SHIFT) * (double)out_scale);
  if (!(real > 0.0 && real < 1.0)) return MBI_ERR_TENSOR; /* TFLite Micro aborts */
  rc = mbi_quantize_multiplier((double)in_scale / twice, &p->input_mult, &p->input_shift);
  if (rc == MBI_OK) rc = mbi_quantize_multiplier(real, &p->output_mult, &p->output_shift);
  if (rc != MBI_OK || p->output_shift > 0) return MBI_ERR_TENSOR;
  p->input_offset = -in_zp, p->output_offset = out_zp, p->left_shift = CUMSUM_LEFT_SHIFT;
  return MBI_OK;
}

int mbi_cumsum_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_cumsum_params *p = (const mb_cumsum_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8)
    mb_cumsum_s8(p, (const int8_t *)in, (int8_t *)out);
  else
    mb_cumsum_f32(p, (const float *)in, (float *)out);
  return MBI_OK;
}
