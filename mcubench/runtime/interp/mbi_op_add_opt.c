/* ADD on the optimized path (mbi_opt.h): two int8 tensors of one shape on aot's mb_add_s8_opt,
 * the same parameters as mbi_op_add.c plus the output's fast requantization; from
 * MBI_ADD_TABLE_MIN elements its two rescaling tables live in scratch (2 kB). Broadcasting, other
 * types and an output multiplier that does not shift right go to the reference registration. */
#include "mbi_opt.h"

#define ADD_LEFT_SHIFT 20

static int same_dims(const mbi_tensor *a, const mbi_tensor *b) {
  return a->dims.n == b->dims.n && a->dims.h == b->dims.h && a->dims.w == b->dims.w &&
         a->dims.c == b->dims.c;
}

int mbi_add_opt_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  const mbi_tensor *a = mbi_tensor_of(ctx, op->in[0], MBI_TYPE_INT8, 0);
  const mbi_tensor *b = mbi_tensor_of(ctx, op->in[1], MBI_TYPE_INT8, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, MBI_TYPE_INT8, 0);
  if (options_type != MBI_OPT_ADD || op->n_in != 2 || !a || !b || !y || !same_dims(a, y) ||
      !same_dims(b, y))
    return mbi_opt_fallback(ctx, op, options_type, options);
  float s1, s2, so;
  int32_t z1, z2, zo, mult, shift;
  int rc = mbi_quant(ctx, op->in[0], &s1, &z1);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->in[1], &s2, &z2);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &so, &zo);
  if (rc != MBI_OK) return rc;
  /* TFLite's int8 prepare: inputs to twice the larger scale after a 20-bit shift, then out */
  const double twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
  rc = mbi_quantize_multiplier(twice_max / ((double)(1 << ADD_LEFT_SHIFT) * (double)so), &mult,
                               &shift);
  if (rc != MBI_OK) return rc;
  if (mult != 0 && shift > -1) return mbi_opt_fallback(ctx, op, options_type, options);
  uint32_t fused = mbi_fb_uint(fb, options, 0, 1, 0); /* schema: AddOptions */
  if (fb->err) return MBI_ERR_MODEL;

  mbi_add_opt_data *p = (mbi_add_opt_data *)mbi_alloc(ctx, 1, sizeof(mbi_add_opt_data));
  if (!p) return MBI_ERR_ARENA;
  rc = mbi_quantize_multiplier((double)s1 / twice_max, &p->input1.mult, &p->input1.shift);
  if (rc == MBI_OK)
    rc = mbi_quantize_multiplier((double)s2 / twice_max, &p->input2.mult, &p->input2.shift);
  if (rc == MBI_OK) rc = mbi_activation_range(fused, so, zo, &p->act_min, &p->act_max);
  if (rc != MBI_OK) return rc;
  p->input1_offset = -z1, p->input2_offset = -z2, p->output_offset = zo;
  p->left_shift = ADD_LEFT_SHIFT;
  p->output_mult = (int32_t)(2u * (uint32_t)mult);
  p->output_shift = mult == 0 ? 0 : -shift - 1;
  p->relu = p->act_min >= zo;
  p->size = (int32_t)mbi_bytes(y);
  p->tables = p->size >= MBI_ADD_TABLE_MIN;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_add_opt_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_add_opt_data *d = (const mbi_add_opt_data *)mbi_record(ctx, op->data);
  mb_add_opt_params p;
  p.input1_offset = d->input1_offset, p.input2_offset = d->input2_offset;
  p.left_shift = d->left_shift;
  p.input1 = d->input1, p.input2 = d->input2;
  p.output_mult = d->output_mult, p.output_shift = d->output_shift;
  p.relu = d->relu, p.output_offset = d->output_offset;
  p.act_min = d->act_min, p.act_max = d->act_max;
  p.scratch = (int32_t *)0;
  if (d->tables) {
    p.scratch = (int32_t *)mbi_opt_scratch(ctx, 2u * 256u * 4u);
    if (!p.scratch) return MBI_ERR_ARENA;
  }
  mb_add_s8_opt(&p, d->size, (const int8_t *)mbi_in_data(ctx, op->in[0]),
                (const int8_t *)mbi_in_data(ctx, op->in[1]), (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
