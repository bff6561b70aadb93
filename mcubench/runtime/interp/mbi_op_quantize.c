/* QUANTIZE: float32, int8 or int16 to int8 or int16 (mb_quantize.h). Prepare keeps the output's
 * scale for float input, else the requantization multiplier of input scale / output scale in
 * double as TFLite's QuantizeMultiplier; eval picks the kernel by the two tensor types. */
#include "mbi.h"
#include "mb_quantize.h"

/* Tensor t if it is a usable activation, of whatever type. */
static const mbi_tensor *activation(const mbi_ctx *ctx, int32_t t) {
  if (t < 0 || t >= (int32_t)ctx->num_tensors) return (const mbi_tensor *)0;
  return mbi_tensor_of(ctx, t, ctx->tensors[t].type, 0);
}

static int is_quant_type(uint8_t type) {
  return type == MBI_TYPE_INT8 || type == MBI_TYPE_INT16;
}

static uint32_t elements(const mbi_tensor *t) {
  return mbi_bytes(t) / mbi_type_bytes(t->type);
}

int mbi_quantize_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options_type, (void)options; /* QuantizeOptions has no fields */
  if (op->n_in != 1 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = activation(ctx, op->in[0]), *y = activation(ctx, op->out);
  if (!x || !y) return MBI_ERR_TENSOR;
  if ((x->type != MBI_TYPE_FLOAT32 && !is_quant_type(x->type)) || !is_quant_type(y->type))
    return MBI_ERR_TENSOR;
  if (elements(x) != elements(y)) return MBI_ERR_PARAMS;

  mb_quantize_params *p = (mb_quantize_params *)mbi_alloc(ctx, 1, sizeof(mb_quantize_params));
  if (!p) return MBI_ERR_ARENA;
  float out_scale, in_scale;
  int32_t out_zp, in_zp;
  int rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc != MBI_OK) return rc;
  if (y->type == MBI_TYPE_INT16 && out_zp != 0) return MBI_ERR_TENSOR; /* int16 is symmetric */
  p->output_zp = out_zp;
  if (x->type == MBI_TYPE_FLOAT32) {
    p->scale = out_scale;
  } else {
    rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
    if (rc != MBI_OK) return rc;
    if (x->type == MBI_TYPE_INT16 && in_zp != 0) return MBI_ERR_TENSOR;
    p->input_offset = -in_zp;
    rc = mbi_quantize_multiplier((double)in_scale / (double)out_scale, &p->mult, &p->shift);
    if (rc != MBI_OK) return rc;
  }
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_quantize_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_quantize_params *p = (const mb_quantize_params *)mbi_record(ctx, op->data);
  const mbi_tensor *x = mbi_t(ctx, op->in[0]), *y = mbi_t(ctx, op->out);
  const int32_t n = (int32_t)elements(y);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  const int to_s8 = y->type == MBI_TYPE_INT8;
  switch (x->type) {
  case MBI_TYPE_FLOAT32:
    if (to_s8) mb_quantize_f32_s8(p, n, (const float *)in, (int8_t *)out);
    else mb_quantize_f32_s16(p, n, (const float *)in, (int16_t *)out);
    break;
  case MBI_TYPE_INT8:
    if (to_s8) mb_quantize_s8_s8(p, n, (const int8_t *)in, (int8_t *)out);
    else mb_quantize_s8_s16(p, n, (const int8_t *)in, (int16_t *)out);
    break;
  default: /* int16 (prepare allowed nothing else) */
    if (to_s8) mb_quantize_s16_s8(p, n, (const int16_t *)in, (int8_t *)out);
    else mb_quantize_s16_s16(p, n, (const int16_t *)in, (int16_t *)out);
    break;
  }
  return MBI_OK;
}
