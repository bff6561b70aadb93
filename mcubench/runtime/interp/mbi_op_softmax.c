/* SOFTMAX over the last axis, int8 in, int8 out with scale 1/256 and zero point -128 or int16 out
 * with scale 1/65536 and zero point -32768 (TFLite Micro's requirements). Prepare is TFLite's
 * PreprocessSoftmaxScaling + CalculateInputRadius. int16 in and out: TFLite's tables. float32 in
 * and out: mb_softmax_f32 with beta as it is. */
#include "mbi.h"
#include "mbi_s16.h"

#define SCALED_DIFF_INTEGER_BITS 5

static int prepare_s16(mbi_ctx *ctx, mbi_op *op, float beta, int32_t rows, int32_t depth) {
  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  mbi_softmax_s16_data *d = (mbi_softmax_s16_data *)mbi_alloc(ctx, 1, sizeof(*d));
  int16_t *luts = (int16_t *)mbi_alloc(ctx, 2 * MB_SOFTMAX_S16_LUT, sizeof(int16_t));
  if (!d || !luts) return MBI_ERR_ARENA;
  int rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc != MBI_OK) return rc;
  double off = (double)out_scale - 1.0 / 32768;
  if (in_zp != 0 || out_zp != 0 || off > 0.001 / 32768 || off < -0.001 / 32768)
    return MBI_ERR_TENSOR;
  if (!(beta >= 0.0f && beta <= 3.0e38f)) return MBI_ERR_PARAMS;
  /* input differences [-65535, 0] onto the exp table's [-10, 0] */
  double real = (double)in_scale * (double)beta / (10.0 / 65535.0);
  if (mbi_quantize_multiplier(real, &d->input_multiplier, &d->input_left_shift) != MBI_OK)
    return MBI_ERR_PARAMS;
  mbi_softmax_s16_luts(luts, luts + MB_SOFTMAX_S16_LUT);
  d->luts = mbi_offset(ctx, luts);
  d->rows = rows, d->depth = depth;
  op->data = mbi_offset(ctx, d);
  return MBI_OK;
}

/* The first scale and zero point of an int16 tensor, any zero point (mbi_quant takes int8 ones:
 * int8 -> int16 softmax's output has -32768). */
static int s16_quant(mbi_ctx *ctx, int32_t t, float *scale, int32_t *zero_point) {
  mbi_fb *fb = &ctx->fb;
  mbi_table tensor, q;
  mbi_vec scales, zero_points;
  mbi_fb_vec_table(fb, &ctx->fb_tensors, (uint32_t)t, &tensor);
  const int has_q = mbi_fb_table(fb, &tensor, 4, &q); /* Tensor.quantization */
  mbi_fb_vec(fb, &q, 2, 4, &scales);                  /* QuantizationParameters.scale */
  mbi_fb_vec(fb, &q, 3, 8, &zero_points);             /* .zero_point */
  if (fb->err) return MBI_ERR_MODEL;
  if (!has_q || scales.len == 0 || zero_points.len == 0) return MBI_ERR_TENSOR;
  *scale = mbi_fb_vec_f32(fb, &scales, 0);
  const int64_t zp = mbi_fb_vec_i64(fb, &zero_points, 0);
  if (fb->err || zp < INT16_MIN || zp > INT16_MAX || !(*scale > 0.0f)) return MBI_ERR_TENSOR;
  *zero_point = (int32_t)zp;
  return MBI_OK;
}

int mbi_softmax_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_SOFTMAX || op->n_in != 1) return MBI_ERR_PARAMS;
  const int f32 = op->in[0] >= 0 && ctx->tensors[op->in[0]].type == MBI_TYPE_FLOAT32;
  const int s16 = op->in[0] >= 0 && ctx->tensors[op->in[0]].type == MBI_TYPE_INT16;
  const uint8_t type = f32 ? MBI_TYPE_FLOAT32 : (s16 ? MBI_TYPE_INT16 : MBI_TYPE_INT8);
  const int s8_s16 = type == MBI_TYPE_INT8 && op->out >= 0 &&
                     op->out < (int32_t)ctx->num_tensors &&
                     ctx->tensors[op->out].type == MBI_TYPE_INT16;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, s8_s16 ? MBI_TYPE_INT16 : type, 0);
  if (!x || !y) return MBI_ERR_TENSOR;
  float beta = mbi_fb_f32(fb, options, 0, 0.0f); /* schema: SoftmaxOptions (beta) */
  if (fb->err) return MBI_ERR_MODEL;
  const int32_t depth = x->dims.c; /* the last axis (1 for a scalar) */
  if (mbi_bytes(x) * (s8_s16 ? 2u : 1u) != mbi_bytes(y) || depth < 1 || y->dims.c != depth)
    return MBI_ERR_PARAMS;

  if (s16) return prepare_s16(ctx, op, beta, (int32_t)(mbi_bytes(x) / 2u / (uint32_t)depth),
                              depth);
  if (f32) { /* the kernel's exp takes x - max <= 0 scaled by beta: beta >= 0, finite */
    if (!(beta >= 0.0f && beta <= 3.0e38f)) return MBI_ERR_PARAMS;
    mbi_softmax_f32_data *f =
        (mbi_softmax_f32_data *)mbi_alloc(ctx, 1, sizeof(mbi_softmax_f32_data));
    if (!f) return MBI_ERR_ARENA;
    f->p.beta = beta;
    f->depth = depth;
    f->rows = (int32_t)(mbi_bytes(x) / 4u / (uint32_t)depth);
    op->data = mbi_offset(ctx, f);
    return MBI_OK;
  }

  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  mbi_softmax_data *d = (mbi_softmax_data *)mbi_alloc(ctx, 1, sizeof(mbi_softmax_data));
  if (!d) return MBI_ERR_ARENA;
  int rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK)
    rc = s8_s16 ? s16_quant(ctx, op->out, &out_scale, &out_zp)
                : mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc != MBI_OK) return rc;
  if (s8_s16) {
    const double off = (double)out_scale - 1.0 / 65536;
    if (out_zp != -32768 || off > 0.001 / 65536 || off < -0.001 / 65536) return MBI_ERR_TENSOR;
  } else if (out_zp != -128 || out_scale != 1.0f / 256) {
    return MBI_ERR_TENSOR; /* the scale exactly, as TFLite Micro compares it */
  }
  if (!(beta >= 0.0f && beta <= 3.0e38f)) return MBI_ERR_PARAMS;

  double real = (double)beta * (double)in_scale * (double)(1 << (31 - SCALED_DIFF_INTEGER_BITS));
  if (real > 2147483647.0) real = 2147483647.0;
  rc = mbi_quantize_multiplier(real, &d->p.input_multiplier, &d->p.input_left_shift);
  if (rc != MBI_OK || d->p.input_left_shift < 0) return MBI_ERR_PARAMS; /* multiplier below one */
  /* CalculateInputRadius: floor(31 * 2^26 / 2^shift), exact as a shift (the shift is 0..31) */
  const uint32_t max_rescaled = (((1u << SCALED_DIFF_INTEGER_BITS) - 1)
                                 << (31 - SCALED_DIFF_INTEGER_BITS));
  d->p.diff_min = -(int32_t)(max_rescaled >> d->p.input_left_shift);
  d->depth = depth;
  d->rows = (int32_t)(mbi_bytes(x) / (uint32_t)depth);
  op->data = mbi_offset(ctx, d);
  return MBI_OK;
}

int mbi_softmax_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (mbi_t(ctx, op->out)->type == MBI_TYPE_FLOAT32) {
    const mbi_softmax_f32_data *f = (const mbi_softmax_f32_data *)mbi_record(ctx, op->data);
    mb_softmax_f32(&f->p, f->rows, f->depth, (const float *)mbi_in_data(ctx, op->in[0]),
                   (float *)mbi_out_data(ctx, op->out));
    return MBI_OK;
  }
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT16) {
    const mbi_softmax_s16_data *e = (const mbi_softmax_s16_data *)mbi_record(ctx, op->data);
    const int16_t *luts = (const int16_t *)mbi_record(ctx, e->luts);
    mb_softmax_s16_params p;
    p.input_multiplier = e->input_multiplier, p.input_left_shift = e->input_left_shift;
    p.exp_lut = luts, p.one_over_one_plus_x_lut = luts + MB_SOFTMAX_S16_LUT;
    mb_softmax_s16(&p, e->rows, e->depth, (const int16_t *)mbi_in_data(ctx, op->in[0]),
                   (int16_t *)mbi_out_data(ctx, op->out));
    return MBI_OK;
  }
  const mbi_softmax_data *d = (const mbi_softmax_data *)mbi_record(ctx, op->data);
  const int8_t *x = (const int8_t *)mbi_in_data(ctx, op->in[0]);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8 && mbi_t(ctx, op->out)->type == MBI_TYPE_INT16)
    mb_softmax_s8_s16(&d->p, d->rows, d->depth, x, (int16_t *)mbi_out_data(ctx, op->out));
  else
    mb_softmax_s8(&d->p, d->rows, d->depth, x, (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
