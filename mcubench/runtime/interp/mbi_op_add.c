/* ADD of two int8 tensors of one shape (no broadcasting), TFLite's int8 prepare: both inputs are
 * rescaled to twice the larger input scale after a 20-bit left shift, then to the output scale.
 * Three float32 tensors add in float (mb_add_f32), only the activation's clamp to prepare. */
#include "mbi.h"

#define ADD_LEFT_SHIFT 20

int mbi_add_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_ADD || op->n_in != 2) return MBI_ERR_PARAMS;
  const int f32 = op->in[0] >= 0 && ctx->tensors[op->in[0]].type == MBI_TYPE_FLOAT32;
  const uint8_t type = f32 ? MBI_TYPE_FLOAT32 : MBI_TYPE_INT8;
  const mbi_tensor *a = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *b = mbi_tensor_of(ctx, op->in[1], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!a || !b || !y) return MBI_ERR_TENSOR;
  uint32_t fused = mbi_fb_uint(fb, options, 0, 1, 0); /* schema: AddOptions */
  if (fb->err) return MBI_ERR_MODEL;
  if (mbi_bytes(a) != mbi_bytes(y) || mbi_bytes(b) != mbi_bytes(y) || a->dims.n != y->dims.n ||
      a->dims.h != y->dims.h || a->dims.w != y->dims.w || a->dims.c != y->dims.c ||
      b->dims.n != y->dims.n || b->dims.h != y->dims.h || b->dims.w != y->dims.w ||
      b->dims.c != y->dims.c)
    return MBI_ERR_PARAMS;

  if (f32) {
    mb_add_f32_params *f = (mb_add_f32_params *)mbi_alloc(ctx, 1, sizeof(mb_add_f32_params));
    if (!f) return MBI_ERR_ARENA;
    int rc = mbi_activation_range_f32(fused, &f->act_min, &f->act_max);
    if (rc != MBI_OK) return rc;
    op->data = mbi_offset(ctx, f);
    return MBI_OK;
  }
  float s1, s2, so;
  int32_t z1, z2, zo;
  mb_add_params *p = (mb_add_params *)mbi_alloc(ctx, 1, sizeof(mb_add_params));
  if (!p) return MBI_ERR_ARENA;
  int rc = mbi_quant(ctx, op->in[0], &s1, &z1);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->in[1], &s2, &z2);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &so, &zo);
  if (rc != MBI_OK) return rc;
  const double twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
  rc = mbi_quantize_multiplier((double)s1 / twice_max, &p->input1.mult, &p->input1.shift);
  if (rc == MBI_OK)
    rc = mbi_quantize_multiplier((double)s2 / twice_max, &p->input2.mult, &p->input2.shift);
  if (rc == MBI_OK)
    rc = mbi_quantize_multiplier(twice_max / ((double)(1 << ADD_LEFT_SHIFT) * (double)so),
                                 &p->output.mult, &p->output.shift);
  if (rc == MBI_OK) rc = mbi_activation_range(fused, so, zo, &p->act_min, &p->act_max);
  if (rc != MBI_OK) return rc;
  p->input1_offset = -z1, p->input2_offset = -z2, p->output_offset = zo;
  p->left_shift = ADD_LEFT_SHIFT;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_add_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (mbi_t(ctx, op->out)->type == MBI_TYPE_FLOAT32) {
    mb_add_f32((const mb_add_f32_params *)mbi_record(ctx, op->data),
               (int32_t)(mbi_bytes(mbi_t(ctx, op->out)) / 4u),
               (const float *)mbi_in_data(ctx, op->in[0]),
               (const float *)mbi_in_data(ctx, op->in[1]), (float *)mbi_out_data(ctx, op->out));
    return MBI_OK;
  }
  mb_add_s8((const mb_add_params *)mbi_record(ctx, op->data),
            (int32_t)mbi_bytes(mbi_t(ctx, op->out)), (const int8_t *)mbi_in_data(ctx, op->in[0]),
            (const int8_t *)mbi_in_data(ctx, op->in[1]), (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
