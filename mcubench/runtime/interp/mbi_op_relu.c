/* RELU: int8 through a table made at setup by mb_relu_s8 (TFLite Micro's CalculateReluOpData: the
 * input/output scale ratio in double, the clamp from the output zero point); float32 by
 * mb_relu_f32. */
#include "mbi_act.h"

int mbi_relu_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options_type, (void)options;
  int rc;
  if (!mbi_act_s8(ctx, op, &rc)) return rc;
  float in_scale, out_scale;
  mb_relu_params p;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &p.input_offset);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &p.output_offset);
  if (rc == MBI_OK) rc = mbi_quantize_multiplier((double)in_scale / (double)out_scale, &p.mult,
                                                 &p.shift);
  if (rc != MBI_OK) return rc;
  p.act_min = p.output_offset; /* max(-128, zero point + round(0 / scale)) */
  p.act_max = INT8_MAX;
  MBI_ACT_RETURN_TABLE(ctx, op, rc, mb_relu_s8, &p);
}

int mbi_relu_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (!mbi_act_eval_s8(ctx, op)) mb_relu_f32(mbi_act_size(ctx, op), MBI_ACT_F32_IO(ctx, op));
  return MBI_OK;
}
