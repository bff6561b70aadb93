/* L2_NORMALIZATION over the last axis of an int8 or float32 tensor of rank 1..4
 * (mb_l2_normalization.h), with TFLite Micro's L2NormPrepare checks: the same type in and out, no
 * fused activation (mcubench/ops/l2_normalization.py does the same offline). */
#include "mb_l2_normalization.h"
#include "mbi.h"

#define MBI_OPT_L2_NORM 12 /* BuiltinOptions: L2NormOptions */

int mbi_l2_normalization_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                 const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (op->n_in != 1 || op->n_out != 1 || op->in[0] < 0 || op->in[0] >= (int32_t)ctx->num_tensors)
    return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_L2_NORM && options_type != 0) return MBI_ERR_PARAMS;
  if (mbi_fb_uint(fb, options, 0, 1, 0) != 0) return MBI_ERR_PARAMS; /* fused activation */
  if (fb->err) return MBI_ERR_MODEL;
  const uint8_t type = ctx->tensors[op->in[0]].type;
  if (type != MBI_TYPE_INT8 && type != MBI_TYPE_FLOAT32) return MBI_ERR_TENSOR;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!x || !y || x->rank < 1 || x->rank > 4) return MBI_ERR_TENSOR;
  const int32_t depth = x->dims.c; /* the last axis */
  if (mbi_bytes(x) != mbi_bytes(y) || depth < 1 || y->dims.c != depth) return MBI_ERR_PARAMS;
  mb_l2_normalization_params *p = (mb_l2_normalization_params *)mbi_alloc(ctx, 1, sizeof(*p));
  if (!p) return MBI_ERR_ARENA;
  p->depth = depth;
  p->rows = (int32_t)(mbi_bytes(x) / mbi_type_bytes(type) / (uint32_t)depth);
  op->data = mbi_offset(ctx, p);
  if (type == MBI_TYPE_FLOAT32) return MBI_OK;
  float scale;
  return mbi_quant(ctx, op->in[0], &scale, &p->input_zp);
}

int mbi_l2_normalization_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_l2_normalization_params *p =
      (const mb_l2_normalization_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8)
    mb_l2_normalization_s8(p, (const int8_t *)in, (int8_t *)out);
  else
    mb_l2_normalization_f32(p, (const float *)in, (float *)out);
  return MBI_OK;
}
