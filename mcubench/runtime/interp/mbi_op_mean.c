/* MEAN over the axes of a constant int32 tensor (negative ones allowed), int8, int16 or float32,
 * rank 1..4 (mb_reduce.h). Prepare turns the axes into per-axis extents and, for integers, the
 * requantization of TFLite Micro's QuantizedMeanOrSum (mcubench/ops/mean.py does the same offline
 * for the aot backend). */
#include "mbi.h"
#include "mb_reduce.h"

#ifndef MBI_OPT_REDUCER
#define MBI_OPT_REDUCER 27 /* BuiltinOptions: ReducerOptions */
#endif

/* The multiplier of input scale / output scale with 1/count folded in, as QuantizedMeanOrSum:
 * shifted up by floor(log2(count)) (at most 32 and 31 + shift), then integer-divided by count. */
static int mean_requant(double real, int32_t count, int32_t *mult, int32_t *shift) {
  int rc = mbi_quantize_multiplier(real, mult, shift);
  if (rc != MBI_OK) return rc;
  int32_t up = 0;
  while (up < 32 && ((int64_t)1 << (up + 1)) <= count) up++;
  if (up > 31 + *shift) up = 31 + *shift;
  *mult = (int32_t)(((int64_t)*mult << up) / count);
  *shift -= up;
  return MBI_OK;
}

int mbi_mean_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (op->n_in != 2 || op->n_out != 1 || op->in[0] < 0 || op->in[0] >= (int32_t)ctx->num_tensors)
    return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_REDUCER && options_type != 0) return MBI_ERR_PARAMS;
  (void)mbi_fb_uint(fb, options, 0, 1, 0); /* keep_dims: the bytes are the same either way */
  if (fb->err) return MBI_ERR_MODEL;
  const uint8_t type = ctx->tensors[op->in[0]].type;
  if (type != MBI_TYPE_INT8 && type != MBI_TYPE_INT16 && type != MBI_TYPE_FLOAT32)
    return MBI_ERR_TENSOR;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *axis = mbi_tensor_of(ctx, op->in[1], MBI_TYPE_INT32, 1);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!x || !axis || !y) return MBI_ERR_TENSOR;
  const int32_t rank = x->rank;
  if (rank < 1 || rank > 4) return MBI_ERR_TENSOR;

  mb_mean_params *p = (mb_mean_params *)mbi_alloc(ctx, 1, sizeof(mb_mean_params));
  if (!p) return MBI_ERR_ARENA;
  const int32_t dims[4] = {x->dims.n, x->dims.h, x->dims.w, x->dims.c};
  int32_t reduced[4] = {0, 0, 0, 0};
  const uint32_t n_axes = mbi_bytes(axis) / 4;
  const int32_t *axes = (const int32_t *)mbi_in_data(ctx, op->in[1]);
  if (n_axes == 0) return MBI_ERR_PARAMS;
  for (uint32_t k = 0; k < n_axes; k++) {
    const int32_t a = axes[k];
    if (a < -rank || a >= rank) return MBI_ERR_PARAMS;
    reduced[(a < 0 ? a + rank : a) + 4 - rank] = 1; /* shapes are padded to 4-D at the front */
  }
  p->count = 1;
  uint32_t outputs = 1;
  for (int k = 0; k < 4; k++) {
    p->outer[k] = reduced[k] ? 1 : dims[k];
    p->inner[k] = reduced[k] ? dims[k] : 1;
    p->count *= p->inner[k];
    outputs *= (uint32_t)p->outer[k];
  }
  if (outputs * mbi_type_bytes(type) != mbi_bytes(y)) return MBI_ERR_PARAMS;
  if (type != MBI_TYPE_FLOAT32) {
    float in_scale, out_scale;
    int rc = mbi_quant(ctx, op->in[0], &in_scale, &p->input_zp);
    if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &p->output_zp);
    if (rc != MBI_OK) return rc;
    if (type == MBI_TYPE_INT16 && (p->input_zp || p->output_zp)) return MBI_ERR_TENSOR;
    rc = mean_requant((double)in_scale / (double)out_scale, p->count, &p->mult, &p->shift);
    if (rc != MBI_OK) return rc;
  }
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_mean_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_mean_params *p = (const mb_mean_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  switch (mbi_t(ctx, op->in[0])->type) {
  case MBI_TYPE_INT8: mb_mean_s8(p, (const int8_t *)in, (int8_t *)out); break;
  case MBI_TYPE_INT16: mb_mean_s16(p, (const int16_t *)in, (int16_t *)out); break;
  default: mb_mean_f32(p, (const float *)in, (float *)out); break;
  }
  return MBI_OK;
}
