/* LOGISTIC: int8 (output scale 1/256, zero point -128, as TFLite requires) through a table made at
 * setup by mb_logistic_s8; float32 by mb_logistic_f32. Prepare is TFLite Micro's: the input scale
 * times 2^27 split by frexp into a Q31 multiplier and a left shift, and the saturation radius. */
#include "mbi_act.h"

int mbi_logistic_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                         const mbi_table *options) {
  (void)options_type, (void)options;
  uint8_t type;
  int rc = mbi_act_tensors(ctx, op, &type);
  if (rc != MBI_OK || type != MBI_TYPE_INT8) return rc;
  mb_logistic_params p;
  rc = mbi_sigmoid_params(ctx, op, -128, 256.0, &p);
  if (rc != MBI_OK) return rc;
  int8_t *table = mbi_act_table(ctx, op);
  if (!table) return MBI_ERR_ARENA;
  mb_logistic_s8(&p, MBI_ACT_TABLE, table, table);
  return MBI_OK;
}

int mbi_logistic_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (!mbi_act_eval_s8(ctx, op)) mb_logistic_f32(mbi_act_size(ctx, op), MBI_ACT_F32_IO(ctx, op));
  return MBI_OK;
}
