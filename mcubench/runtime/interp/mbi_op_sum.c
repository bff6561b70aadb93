/* SUM over the axes of a constant int32 tensor of an int8, int16 or float32 tensor of rank 1..6
 * (mb_reduce.h). Integers: TFLite Micro's QuantizedMeanOrSum with compute_sum, requantized by
 * QuantizeMultiplier of input scale / output scale (mcubench/ops/sum.py does the same offline). */
#include "mbi_reduce.h"

int mbi_sum_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  static const uint8_t types[3] = {MBI_TYPE_INT8, MBI_TYPE_INT16, MBI_TYPE_FLOAT32};
  (void)options; /* keep_dims: the bytes are the same either way */
  const uint8_t type = mbi_reduce_type(ctx, op, types, 3);
  if (type == 0xff) return MBI_ERR_TENSOR;
  mb_reduce_params *p;
  int rc = mbi_reduce_setup(ctx, op, options_type, type, &p);
  if (rc != MBI_OK || type == MBI_TYPE_FLOAT32) return rc;
  float in_scale, out_scale;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &p->input_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &p->output_zp);
  if (rc != MBI_OK) return rc;
  if (type == MBI_TYPE_INT16 && (p->input_zp || p->output_zp)) return MBI_ERR_TENSOR;
  return mbi_quantize_multiplier((double)in_scale / (double)out_scale, &p->mult, &p->shift);
}

int mbi_sum_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_reduce_params *p = (const mb_reduce_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  switch (mbi_t(ctx, op->in[0])->type) {
  case MBI_TYPE_INT8: mb_reduce_sum_s8(p, (const int8_t *)in, (int8_t *)out); break;
  case MBI_TYPE_INT16: mb_reduce_sum_s16(p, (const int16_t *)in, (int16_t *)out); break;
  default: mb_reduce_sum_f32(p, (const float *)in, (float *)out); break;
  }
  return MBI_OK;
}
