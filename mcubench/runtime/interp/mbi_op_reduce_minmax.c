/* REDUCE_MAX and REDUCE_MIN over the axes of a constant int32 tensor of an int8 or float32 tensor
 * of rank 1..6 (mb_reduce.h): one prepare, one eval each. int8 needs the input's quantization on
 * the output, as TFLite Micro's Eval. */
#include "mbi_reduce.h"

int mbi_reduce_minmax_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                              const mbi_table *options) {
  static const uint8_t types[2] = {MBI_TYPE_INT8, MBI_TYPE_FLOAT32};
  (void)options; /* keep_dims: the bytes are the same either way */
  mb_reduce_params *p;
  int rc = mbi_reduce_setup(ctx, op, options_type, types, 2, &p);
  if (rc != MBI_OK || ctx->tensors[op->in[0]].type == MBI_TYPE_FLOAT32) return rc;
  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc == MBI_OK && (in_scale != out_scale || in_zp != out_zp)) rc = MBI_ERR_TENSOR;
  return rc;
}

int mbi_reduce_max_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_reduce_params *p = (const mb_reduce_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8)
    mb_reduce_max_s8(p, (const int8_t *)in, (int8_t *)out);
  else
    mb_reduce_max_f32(p, (const float *)in, (float *)out);
  return MBI_OK;
}

int mbi_reduce_min_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_reduce_params *p = (const mb_reduce_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8)
    mb_reduce_min_s8(p, (const int8_t *)in, (int8_t *)out);
  else
    mb_reduce_min_f32(p, (const float *)in, (float *)out);
  return MBI_OK;
}
