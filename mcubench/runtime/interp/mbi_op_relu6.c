/* RELU6: int8 through a table made at setup by mb_relu6_s8 (TFLite Micro's Relu6Prepare: 0 and 6
 * quantized with the input's scale and zero point; the output quantization is not used, as there);
 * float32 by mb_relu6_f32. */
#include "mbi_act.h"

int mbi_relu6_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options_type, (void)options;
  int rc;
  if (!mbi_act_s8(ctx, op, &rc)) return rc;
  float in_scale, out_scale;
  int32_t out_zp;
  mb_relu6_params p;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &p.zero);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc != MBI_OK) return rc;
  const float r = 6.0f / in_scale; /* float32, as TFLite; then rounded half away (r >= 0) */
  if (!(r < 2147483648.0f)) return MBI_ERR_TENSOR;
  const int32_t six = (int32_t)((double)r + 0.5) + p.zero;
  p.six = six > INT8_MAX ? INT8_MAX : six < INT8_MIN ? INT8_MIN : six;
  MBI_ACT_RETURN_TABLE(ctx, op, rc, mb_relu6_s8, &p);
}

int mbi_relu6_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (!mbi_act_eval_s8(ctx, op)) mb_relu6_f32(mbi_act_size(ctx, op), MBI_ACT_F32_IO(ctx, op));
  return MBI_OK;
}
