/* MEAN and SUM over the axes of a constant int32 tensor of an int8, int16 or float32 tensor of
 * rank 1..6 (mb_reduce.h). Integers: the requantization of TFLite Micro's QuantizedMeanOrSum,
 * input scale / output scale, for MEAN with 1/count folded in (mcubench/ops/common/reduce.py's
 * QuantizedSum does the same offline). */
#include "mbi_reduce.h"

/* QuantizeMultiplier of the scale ratio; for MEAN then shifted up by floor(log2(count)) (at most
 * 32 and 31 + shift) and integer-divided by count. */
static int prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, int mean) {
  static const uint8_t types[3] = {MBI_TYPE_INT8, MBI_TYPE_INT16, MBI_TYPE_FLOAT32};
  mb_reduce_params *p;
  int rc = mbi_reduce_setup(ctx, op, options_type, types, 3, &p);
  const uint8_t type = ctx->tensors[op->in[0]].type;
  if (rc != MBI_OK || type == MBI_TYPE_FLOAT32) return rc;
  float in_scale, out_scale;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &p->input_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &p->output_zp);
  if (rc != MBI_OK) return rc;
  if (type == MBI_TYPE_INT16 && (p->input_zp || p->output_zp)) return MBI_ERR_TENSOR;
  rc = mbi_quantize_multiplier((double)in_scale / (double)out_scale, &p->mult, &p->shift);
  if (rc != MBI_OK || !mean) return rc;
  int32_t up = 0;
  while (up < 32 && ((int64_t)1 << (up + 1)) <= p->count) up++;
  if (up > 31 + p->shift) up = 31 + p->shift;
  p->mult = (int32_t)(((int64_t)p->mult << up) / p->count);
  p->shift -= up;
  return MBI_OK;
}

static int eval(const mbi_ctx *ctx, const mbi_op *op, int mean) {
  const mb_reduce_params *p = (const mb_reduce_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  switch (mbi_t(ctx, op->in[0])->type) {
  case MBI_TYPE_INT8: mb_reduce_sum_s8(p, (const int8_t *)in, (int8_t *)out); break;
  case MBI_TYPE_INT16: mb_reduce_sum_s16(p, (const int16_t *)in, (int16_t *)out); break;
  default:
    if (mean)
      mb_reduce_mean_f32(p, (const float *)in, (float *)out);
    else
      mb_reduce_sum_f32(p, (const float *)in, (float *)out);
  }
  return MBI_OK;
}

/* keep_dims (the options' one field) does not change the bytes */
int mbi_mean_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options;
  return prepare(ctx, op, options_type, 1);
}

int mbi_mean_eval(const mbi_ctx *ctx, const mbi_op *op) { return eval(ctx, op, 1); }

int mbi_sum_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options;
  return prepare(ctx, op, options_type, 0);
}

int mbi_sum_eval(const mbi_ctx *ctx, const mbi_op *op) { return eval(ctx, op, 0); }
