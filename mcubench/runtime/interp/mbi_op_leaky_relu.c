/* LEAKY_RELU: int8 through a table made at setup by mb_leaky_relu_s8 (TFLite Micro's
 * CalculateOpDataLeakyRelu: input_scale / output_scale and input_scale * alpha / output_scale, in
 * float32); float32 by mb_leaky_relu_f32 with alpha kept in the arena. */
#include "mbi_act.h"

#define MBI_OPT_LEAKY_RELU 75 /* BuiltinOptions: LeakyReluOptions (alpha: slot 0) */

int mbi_leaky_relu_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                           const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_LEAKY_RELU && options_type != 0) return MBI_ERR_PARAMS;
  const float alpha = options_type ? mbi_fb_f32(fb, options, 0, 0.0f) : 0.0f;
  if (fb->err) return MBI_ERR_MODEL;
  if (!(alpha >= 0.0f && alpha <= MBI_FLT_MAX)) return MBI_ERR_PARAMS; /* negative, inf, NaN */
  uint8_t type;
  int rc = mbi_act_tensors(ctx, op, &type);
  if (rc != MBI_OK) return rc;
  if (type == MBI_TYPE_FLOAT32) {
    mb_leaky_relu_f32_params *f =
        (mb_leaky_relu_f32_params *)mbi_alloc(ctx, 1, sizeof(mb_leaky_relu_f32_params));
    if (!f) return MBI_ERR_ARENA;
    f->alpha = alpha;
    op->data = mbi_offset(ctx, f);
    return MBI_OK;
  }
  float in_scale, out_scale;
  mb_leaky_relu_params p;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &p.input_offset);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &p.output_offset);
  if (rc == MBI_OK)
    rc = mbi_quantize_multiplier((double)(in_scale / out_scale), &p.mult_identity,
                                 &p.shift_identity);
  if (rc == MBI_OK)
    rc = mbi_quantize_multiplier((double)(in_scale * alpha / out_scale), &p.mult_alpha,
                                 &p.shift_alpha);
  MBI_ACT_RETURN_TABLE(ctx, op, rc, mb_leaky_relu_s8, &p);
}

int mbi_leaky_relu_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (!mbi_act_eval_s8(ctx, op))
    mb_leaky_relu_f32((const mb_leaky_relu_f32_params *)mbi_record(ctx, op->data),
                      mbi_act_size(ctx, op), MBI_ACT_F32_IO(ctx, op));
  return MBI_OK;
}
