/* TANH: int8 (output scale 1/128, zero point 0, as TFLite's kernel is written for) through a table
 * made at setup by mb_tanh_s8; float32 by mb_tanh_f32. Prepare is LOGISTIC's (mbi_act.h). */
#include "mbi_act.h"

int mbi_tanh_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options_type, (void)options;
  int rc;
  if (!mbi_act_s8(ctx, op, &rc)) return rc;
  mb_tanh_params p;
  rc = mbi_sigmoid_params(ctx, op, 0, 128.0, &p);
  MBI_ACT_RETURN_TABLE(ctx, op, rc, mb_tanh_s8, &p);
}

int mbi_tanh_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (!mbi_act_eval_s8(ctx, op)) mb_tanh_f32(mbi_act_size(ctx, op), MBI_ACT_F32_IO(ctx, op));
  return MBI_OK;
}
