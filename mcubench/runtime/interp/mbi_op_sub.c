/* SUB of int8, int16 or float32 tensors with broadcasting. Prepare is TFLite Micro's
 * CalculateOpDataSub, ADD's arithmetic: a common scale twice the larger input scale, three real
 * multipliers in double (the installed TFLite Micro's results; some versions' float32 arithmetic
 * differs by one in rare int16 cases); 20 bits of headroom for int8, 15 for int16. */
#include "mbi_binary.h"

int mbi_sub_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_SUB && options_type != 0) return MBI_ERR_PARAMS;
  uint32_t fused = mbi_fb_uint(fb, options, 0, 1, 0); /* schema: SubOptions */
  if (fb->err) return MBI_ERR_MODEL;
  const uint8_t type = mbi_binary_type(ctx, op);
  if (type == 0xff) return MBI_ERR_TENSOR;
  int rc;

  if (type == MBI_TYPE_FLOAT32) {
    mbi_sub_f32_data *f = (mbi_sub_f32_data *)mbi_alloc(ctx, 1, sizeof(mbi_sub_f32_data));
    if (!f) return MBI_ERR_ARENA;
    rc = mbi_binary_shapes(ctx, op, type, &f->b);
    if (rc == MBI_OK) rc = mbi_binary_range_f32(fused, &f->p.act_min, &f->p.act_max);
    op->data = mbi_offset(ctx, f);
    return rc;
  }

  mbi_sub_data *d = (mbi_sub_data *)mbi_alloc(ctx, 1, sizeof(mbi_sub_data));
  if (!d) return MBI_ERR_ARENA;
  float s1, s2, so;
  int32_t z1, z2, zo;
  rc = mbi_binary_shapes(ctx, op, type, &d->b);
  if (rc == MBI_OK) rc = mbi_binary_quant(ctx, op->in[0], type, &s1, &z1);
  if (rc == MBI_OK) rc = mbi_binary_quant(ctx, op->in[1], type, &s2, &z2);
  if (rc == MBI_OK) rc = mbi_binary_quant(ctx, op->out, type, &so, &zo);
  if (rc != MBI_OK) return rc;
  mb_sub_params *p = &d->p;
  p->left_shift = type == MBI_TYPE_INT16 ? 15 : 20;
  /* ADD's arithmetic, in double */
  const double twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
  rc = mbi_quantize_multiplier((double)s1 / twice_max, &p->input1.mult, &p->input1.shift);
  if (rc == MBI_OK)
    rc = mbi_quantize_multiplier((double)s2 / twice_max, &p->input2.mult, &p->input2.shift);
  if (rc == MBI_OK)
    rc = mbi_quantize_multiplier(twice_max / ((double)(1 << p->left_shift) * (double)so),
                                 &p->output.mult, &p->output.shift);
  if (rc == MBI_OK) rc = mbi_binary_range(type, fused, so, zo, &p->act_min, &p->act_max);
  if (rc != MBI_OK) return rc;
  /* TFLite's multipliers here must be below one (its right-shift-only requantization) */
  if (p->input1.shift > 0 || p->input2.shift > 0 || p->output.shift > 0) return MBI_ERR_TENSOR;
  p->input1_offset = -z1, p->input2_offset = -z2, p->output_offset = zo;
  op->data = mbi_offset(ctx, d);
  return MBI_OK;
}

int mbi_sub_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const void *rec = mbi_record(ctx, op->data);
  const void *x1 = mbi_in_data(ctx, op->in[0]), *x2 = mbi_in_data(ctx, op->in[1]);
  void *y = mbi_out_data(ctx, op->out);
  switch (mbi_t(ctx, op->out)->type) {
  case MBI_TYPE_INT8: {
    const mbi_sub_data *d = (const mbi_sub_data *)rec;
    mb_sub_s8(&d->p, &d->b, (const int8_t *)x1, (const int8_t *)x2, (int8_t *)y);
    break;
  }
  case MBI_TYPE_INT16: {
    const mbi_sub_data *d = (const mbi_sub_data *)rec;
    mb_sub_s16(&d->p, &d->b, (const int16_t *)x1, (const int16_t *)x2, (int16_t *)y);
    break;
  }
  default: {
    const mbi_sub_f32_data *f = (const mbi_sub_f32_data *)rec;
    mb_sub_f32(&f->p, &f->b, (const float *)x1, (const float *)x2, (float *)y);
  }
  }
  return MBI_OK;
}
