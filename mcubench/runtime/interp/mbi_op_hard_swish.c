/* HARD_SWISH: int8 through a table made at setup by mb_hard_swish_s8; float32 by
 * mb_hard_swish_f32. Prepare is TFLite Micro's HardSwishPrepare: the input scale / 128 over the
 * output scale and over 3/32768 (3.0 as 2^15), in float32, each a Q31 multiplier downscaled to
 * Q15. */
#include "mbi_act.h"

/* TFLite's DownScaleInt32ToInt16Multiplier: Q31 -> Q15, rounded, saturated. */
static int16_t downscale16(int32_t mult) {
  if (mult >= INT32_MAX - (1 << 15)) return INT16_MAX;
  return (int16_t)((mult + (1 << 15)) >> 16);
}

int mbi_hard_swish_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                           const mbi_table *options) {
  (void)options_type, (void)options;
  int rc;
  if (!mbi_act_s8(ctx, op, &rc)) return rc;
  float in_scale, out_scale;
  int32_t out_mult, relu_mult;
  mb_hard_swish_params p;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &p.input_zero_point);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &p.output_zero_point);
  if (rc != MBI_OK) return rc;
  const float hires_scale = (1.0f / 128.0f) * in_scale;
  rc = mbi_quantize_multiplier((double)(hires_scale / out_scale), &out_mult,
                               &p.output_multiplier_exponent);
  if (rc == MBI_OK)
    rc = mbi_quantize_multiplier((double)(hires_scale / (3.0f / 32768.0f)), &relu_mult,
                                 &p.reluish_multiplier_exponent);
  if (rc != MBI_OK) return rc;
  if (p.output_multiplier_exponent > 0) return MBI_ERR_TENSOR; /* TFLite Micro rejects it too */
  p.output_multiplier_fixedpoint = downscale16(out_mult);
  p.reluish_multiplier_fixedpoint = downscale16(relu_mult);
  MBI_ACT_RETURN_TABLE(ctx, op, rc, mb_hard_swish_s8, &p);
}

int mbi_hard_swish_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (!mbi_act_eval_s8(ctx, op)) mb_hard_swish_f32(mbi_act_size(ctx, op), MBI_ACT_F32_IO(ctx, op));
  return MBI_OK;
}
