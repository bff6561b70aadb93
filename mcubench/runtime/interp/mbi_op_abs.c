/* ABS: int8, int16 (quantized or not) and float32 (mb_abs.h). Prepare is TFLite Micro's
 * PrepareAbsRsqrt: the zero points, and where the scales differ QuantizeMultiplier of input scale
 * / output scale in double (ops/abs.py computes the same offline). */
#include "mb_abs.h"
#include "mbi.h"

int mbi_abs_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options_type, (void)options; /* AbsOptions has no fields */
  if (op->n_in != 1 || op->n_out != 1 || op->in[0] < 0 ||
      op->in[0] >= (int32_t)ctx->num_tensors)
    return MBI_ERR_PARAMS;
  const uint8_t type = ctx->tensors[op->in[0]].type;
  if (type != MBI_TYPE_INT8 && type != MBI_TYPE_INT16 && type != MBI_TYPE_FLOAT32)
    return MBI_ERR_TENSOR;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!x || !y) return MBI_ERR_TENSOR;
  if (mbi_bytes(x) != mbi_bytes(y)) return MBI_ERR_PARAMS;
  if (type == MBI_TYPE_FLOAT32) return MBI_OK; /* no record */

  mb_abs_params *p = (mb_abs_params *)mbi_alloc(ctx, 1, sizeof(mb_abs_params));
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  float in_scale, out_scale;
  int rc = mbi_quant(ctx, op->in[0], &in_scale, &p->input_offset);
  if (rc != MBI_OK && type == MBI_TYPE_INT16 &&
      mbi_quant(ctx, op->out, &out_scale, &p->output_offset) != MBI_OK)
    return MBI_OK; /* int16 without quantization: a plain |x| (p->quantized 0) */
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &p->output_offset);
  if (rc != MBI_OK) return rc;
  if (type == MBI_TYPE_INT16 && (p->input_offset || p->output_offset)) return MBI_ERR_TENSOR;
  p->quantized = 1;
  p->rescale = in_scale != out_scale;
  if (p->rescale)
    rc = mbi_quantize_multiplier((double)in_scale / (double)out_scale, &p->mult, &p->shift);
  return rc;
}

int mbi_abs_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_abs_params *p = (const mb_abs_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  const mbi_tensor *y = mbi_t(ctx, op->out);
  const int32_t n = (int32_t)(mbi_bytes(y) / mbi_type_bytes(y->type));
  switch (y->type) {
  case MBI_TYPE_INT8: mb_abs_s8(p, n, (const int8_t *)in, (int8_t *)out); break;
  case MBI_TYPE_INT16: mb_abs_s16(p, n, (const int16_t *)in, (int16_t *)out); break;
  default: mb_abs_f32(n, (const float *)in, (float *)out); break;
  }
  return MBI_OK;
}
