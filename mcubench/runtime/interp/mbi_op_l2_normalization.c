/* L2_NORMALIZATION over the last axis of an int8 or float32 tensor of rank 1..4
 * (mb_l2_normalization.h), with TFLite Micro's L2NormPrepare checks: the same type in and out, no
 * fused activation (mcubench/ops/l2_normalization.py does the same offline). */
#include "mb_l2_normalization.h"
#include "mbi_reduce.h"

#define MBI_OPT_L2_NORM 12 /* BuiltinOptions: L2NormOptions */

int mbi_l2_normalization_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                 const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_L2_NORM && options_type != 0) return MBI_ERR_PARAMS;
  if (mbi_fb_uint(fb, options, 0, 1, 0) != 0) return MBI_ERR_PARAMS; /* fused activation */
  if (fb->err) return MBI_ERR_MODEL;
  int32_t rows, depth;
  int rc = mbi_rows_setup(ctx, op, 4, &rows, &depth); /* rank 1..4: TFLite Micro's limit */
  if (rc != MBI_OK) return rc;
  mb_l2_normalization_params *p = (mb_l2_normalization_params *)mbi_alloc(ctx, 1, sizeof(*p));
  if (!p) return MBI_ERR_ARENA;
  p->rows = rows, p->depth = depth;
  op->data = mbi_offset(ctx, p);
  if (ctx->tensors[op->in[0]].type == MBI_TYPE_FLOAT32) return MBI_OK;
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
