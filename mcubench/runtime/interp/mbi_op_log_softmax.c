/* LOG_SOFTMAX over the last axis, int8 (output scale 16/256 and zero point 127, TFLite Micro's
 * requirement) or float32 (mb_log_softmax.h). Prepare is TFLite Micro's
 * PreprocessLogSoftmaxScalingExp with beta 1 and CalculateInputRadius (mcubench/ops/log_softmax.py
 * computes the same offline). */
#include "mb_log_softmax.h"
#include "mbi.h"

#define MBI_OPT_LOG_SOFTMAX 36 /* BuiltinOptions: LogSoftmaxOptions */
#define SCALED_DIFF_INTEGER_BITS 5

int mbi_log_softmax_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                            const mbi_table *options) {
  (void)options; /* LogSoftmaxOptions has no fields */
  if (op->n_in != 1 || op->n_out != 1 || op->in[0] < 0 || op->in[0] >= (int32_t)ctx->num_tensors)
    return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_LOG_SOFTMAX && options_type != 0) return MBI_ERR_PARAMS;
  const uint8_t type = ctx->tensors[op->in[0]].type;
  if (type != MBI_TYPE_INT8 && type != MBI_TYPE_FLOAT32) return MBI_ERR_TENSOR;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!x || !y || x->rank < 1) return MBI_ERR_TENSOR;
  const int32_t depth = x->dims.c; /* the last axis */
  if (mbi_bytes(x) != mbi_bytes(y) || depth < 1 || y->dims.c != depth) return MBI_ERR_PARAMS;
  mb_log_softmax_params *p = (mb_log_softmax_params *)mbi_alloc(ctx, 1, sizeof(*p));
  if (!p) return MBI_ERR_ARENA;
  p->depth = depth;
  p->rows = (int32_t)(mbi_bytes(x) / mbi_type_bytes(type) / (uint32_t)depth);
  op->data = mbi_offset(ctx, p);
  if (type == MBI_TYPE_FLOAT32) return MBI_OK;

  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  int rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc != MBI_OK) return rc;
  if (out_scale != 16.0f / 256 || out_zp != 127) return MBI_ERR_TENSOR;
  /* PreprocessSoftmaxScaling with beta 1: the difference into Q5.26, capped at 2^31 - 1 */
  double real = (double)in_scale * (double)(1 << (31 - SCALED_DIFF_INTEGER_BITS));
  if (real > 2147483647.0) real = 2147483647.0;
  rc = mbi_quantize_multiplier(real, &p->input_multiplier, &p->input_left_shift);
  if (rc != MBI_OK || p->input_left_shift < 0) return MBI_ERR_PARAMS; /* multiplier below one */
  /* its inverse, a multiplier below one (TFLite Micro aborts otherwise) */
  const double reverse =
      (double)((int64_t)1 << (31 - p->input_left_shift)) / (double)p->input_multiplier;
  int32_t shift;
  if (!(reverse < 1.0)) return MBI_ERR_PARAMS;
  rc = mbi_quantize_multiplier(reverse, &p->reverse_scaling_divisor, &shift);
  if (rc != MBI_OK || shift > 0) return MBI_ERR_PARAMS;
  p->reverse_scaling_right_shift = -shift;
  /* CalculateInputRadius: floor(31 * 2^26 / 2^shift), exact as a shift (the shift is 0..31) */
  const uint32_t max_rescaled = (((1u << SCALED_DIFF_INTEGER_BITS) - 1)
                                 << (31 - SCALED_DIFF_INTEGER_BITS));
  p->diff_min = -(int32_t)(max_rescaled >> p->input_left_shift);
  return MBI_OK;
}

int mbi_log_softmax_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_log_softmax_params *p = (const mb_log_softmax_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8)
    mb_log_softmax_s8(p, (const int8_t *)in, (int8_t *)out);
  else
    mb_log_softmax_f32(p, (const float *)in, (float *)out);
  return MBI_OK;
}
