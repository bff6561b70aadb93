/* TANH: int8 (output scale 1/128, zero point 0, as TFLite's kernel is written for) through a table
 * made at setup by mb_tanh_s8; float32 by mb_tanh_f32. Prepare is LOGISTIC's (mbi_act.h). */
#include "mbi_act.h"

int mbi_tanh_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options_type, (void)options;
  uint8_t type;
  int rc = mbi_act_tensors(ctx, op, &type);
  if (rc != MBI_OK || type != MBI_TYPE_INT8) return rc;
  mb_tanh_params p;
  rc = mbi_sigmoid_params(ctx, op, 0, 128.0, &p);
  if (rc != MBI_OK) return rc;
  int8_t *table = mbi_act_table(ctx, op);
  if (!table) return MBI_ERR_ARENA;
  mb_tanh_s8(&p, MBI_ACT_TABLE, table, table);
  return MBI_OK;
}

int mbi_tanh_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (!mbi_act_eval_s8(ctx, op)) mb_tanh_f32(mbi_act_size(ctx, op), MBI_ACT_F32_IO(ctx, op));
  return MBI_OK;
}
