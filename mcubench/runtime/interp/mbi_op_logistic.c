/* LOGISTIC: int8 (output scale 1/256, zero point -128, as TFLite requires) through a table made at
 * setup by mb_logistic_s8; float32 by mb_logistic_f32. Prepare is TFLite Micro's: the input scale
 * times 2^27 split by frexp into a Q31 multiplier and a left shift, and the saturation radius. */
#include "mbi_act.h"

int mbi_logistic_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                         const mbi_table *options) {
  (void)options_type, (void)options;
  int rc;
  if (!mbi_act_s8(ctx, op, &rc)) return rc;
  mb_logistic_params p;
  rc = mbi_sigmoid_params(ctx, op, -128, 256.0, &p);
  MBI_ACT_RETURN_TABLE(ctx, op, rc, mb_logistic_s8, &p);
}

int mbi_logistic_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (!mbi_act_eval_s8(ctx, op)) mb_logistic_f32(mbi_act_size(ctx, op), MBI_ACT_F32_IO(ctx, op));
  return MBI_OK;
}
