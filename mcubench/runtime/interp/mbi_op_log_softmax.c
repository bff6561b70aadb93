/* LOG_SOFTMAX over the last axis, int8 (output scale 16/256 and zero point 127, TFLite Micro's
 * requirement) or float32 (mb_log_softmax.h). Prepare is TFLite Micro's
 * PreprocessLogSoftmaxScalingExp with beta 1 and CalculateInputRadius (mcubench/ops/log_softmax.py
 * computes the same offline). */
#include "mb_log_softmax.h"
#include "mbi_reduce.h"

#define MBI_OPT_LOG_SOFTMAX 36 /* BuiltinOptions: LogSoftmaxOptions */
#define SCALED_DIFF_INTEGER_BITS 5

int mbi_log_softmax_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                            const mbi_table *options) {
  (void)options; /* LogSoftmaxOptions has no fields */
  if (options_type != MBI_OPT_LOG_SOFTMAX && options_type != 0) return MBI_ERR_PARAMS;
  int32_t rows, depth;
  int rc = mbi_rows_setup(ctx, op, MBI_MAX_DIMS, &rows, &depth);
  if (rc != MBI_OK) return rc;
  mb_log_softmax_params *p = (mb_log_softmax_params *)mbi_alloc(ctx, 1, sizeof(*p));
  if (!p) return MBI_ERR_ARENA;
  p->rows = rows, p->depth = depth;
  op->data = mbi_offset(ctx, p);
  if (ctx->tensors[op->in[0]].type == MBI_TYPE_FLOAT32) return MBI_OK;

  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
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
