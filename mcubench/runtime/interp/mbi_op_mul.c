/* MUL of int8, int16 or float32 tensors with broadcasting. Prepare is TFLite Micro's
 * CalculateOpDataMul: one real multiplier scale1 * scale2 / scale_out in double; int16 tensors have
 * zero point 0. */
#include "mbi_binary.h"

int mbi_mul_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_MUL && options_type != 0) return MBI_ERR_PARAMS;
  uint32_t fused = mbi_fb_uint(fb, options, 0, 1, 0); /* schema: MulOptions */
  if (fb->err) return MBI_ERR_MODEL;
  const uint8_t type = mbi_binary_type(ctx, op);
  if (type == 0xff) return MBI_ERR_TENSOR;
  int rc;

  if (type == MBI_TYPE_FLOAT32) {
    mbi_mul_f32_data *f = (mbi_mul_f32_data *)mbi_alloc(ctx, 1, sizeof(mbi_mul_f32_data));
    if (!f) return MBI_ERR_ARENA;
    rc = mbi_binary_shapes(ctx, op, type, &f->b);
    if (rc == MBI_OK) rc = mbi_binary_range_f32(fused, &f->p.act_min, &f->p.act_max);
    op->data = mbi_offset(ctx, f);
    return rc;
  }

  mbi_mul_data *d = (mbi_mul_data *)mbi_alloc(ctx, 1, sizeof(mbi_mul_data));
  if (!d) return MBI_ERR_ARENA;
  float s1, s2, so;
  int32_t z1, z2, zo;
  rc = mbi_binary_shapes(ctx, op, type, &d->b);
  if (rc == MBI_OK) rc = mbi_binary_quant(ctx, op->in[0], type, &s1, &z1);
  if (rc == MBI_OK) rc = mbi_binary_quant(ctx, op->in[1], type, &s2, &z2);
  if (rc == MBI_OK) rc = mbi_binary_quant(ctx, op->out, type, &so, &zo);
  if (rc != MBI_OK) return rc;
  mb_mul_params *p = &d->p;
  rc = mbi_quantize_multiplier((double)s1 * (double)s2 / (double)so, &p->output.mult,
                               &p->output.shift);
  if (rc == MBI_OK) rc = mbi_binary_range(type, fused, so, zo, &p->act_min, &p->act_max);
  if (rc != MBI_OK) return rc;
  p->input1_offset = -z1, p->input2_offset = -z2, p->output_offset = zo;
  op->data = mbi_offset(ctx, d);
  return MBI_OK;
}

int mbi_mul_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const void *rec = mbi_record(ctx, op->data);
  const void *x1 = mbi_in_data(ctx, op->in[0]), *x2 = mbi_in_data(ctx, op->in[1]);
  void *y = mbi_out_data(ctx, op->out);
  switch (mbi_t(ctx, op->out)->type) {
  case MBI_TYPE_INT8: {
    const mbi_mul_data *d = (const mbi_mul_data *)rec;
    mb_mul_s8(&d->p, &d->b, (const int8_t *)x1, (const int8_t *)x2, (int8_t *)y);
    break;
  }
  case MBI_TYPE_INT16: {
    const mbi_mul_data *d = (const mbi_mul_data *)rec;
    mb_mul_s16(&d->p, &d->b, (const int16_t *)x1, (const int16_t *)x2, (int16_t *)y);
    break;
  }
  default: {
    const mbi_mul_f32_data *f = (const mbi_mul_f32_data *)rec;
    mb_mul_f32(&f->p, &f->b, (const float *)x1, (const float *)x2, (float *)y);
  }
  }
  return MBI_OK;
}
