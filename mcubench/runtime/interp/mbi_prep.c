/* Preparation helpers shared by the operators: TFLite's quantization arithmetic (bit-exact with
 * mcubench/ir/quant.py, which mirrors TFLite Micro's Prepare), window geometry, and checked access
 * to a tensor's quantization parameters in the flatbuffer.
 *
 * Scales are float32 in the model; products and quotients of scales are taken in double, as TFLite
 * does. No libm: frexp and rounding are done on the bits, floor by truncating non-negative values.
 */
#include "mbi.h"

double mbi_frexp(double x, int *exponent) {
  mbi_f64_bits v;
  v.d = x;
  int biased = (int)((v.u >> 52) & 0x7ff);
  *exponent = 0;
  if (biased == 0x7ff || x == 0.0) return x; /* inf, nan, +-0: as C's frexp */
  int extra = 0;
  if (biased == 0) { /* subnormal: scale into the normal range first */
    v.d = x * 18014398509481984.0; /* 2^54 */
    biased = (int)((v.u >> 52) & 0x7ff);
    extra = 54;
  }
  *exponent = biased - 1022 - extra;
  v.u = (v.u & ~((uint64_t)0x7ff << 52)) | ((uint64_t)1022 << 52); /* magnitude in [0.5, 1) */
  return v.d;
}

int mbi_quantize_multiplier(double real, int32_t *mult, int32_t *shift) {
  *mult = 0;
  *shift = 0;
  if (!(real >= 0.0 && real <= 1.0e300)) return MBI_ERR_TENSOR; /* negative, nan or inf */
  if (real == 0.0) return MBI_OK;
  int e;
  double q = mbi_frexp(real, &e); /* real = q * 2^e, q in [0.5, 1) */
  /* round half away from zero: q * 2^31 + 0.5 is exact in double, truncation is floor here */
  int64_t q_fixed = (int64_t)(q * 2147483648.0 + 0.5);
  if (q_fixed == (int64_t)1 << 31) {
    q_fixed /= 2;
    e++;
  }
  if (e < -31) return MBI_OK; /* every bit would be shifted out: TFLite flushes to zero */
  if (e > 31) return MBI_ERR_TENSOR; /* the kernels shift left by at most 31 */
  *mult = (int32_t)q_fixed;
  *shift = e;
  return MBI_OK;
}

/* zero_point + round_half_away(f / scale), the division in float32 as TFLite does it. */
static int32_t quantize(float f, float scale, int32_t zero_point) {
  double v = (double)(f / scale);
  if (v > 1.0e9) return zero_point + 1000000000; /* clamped to int8 by the callers anyway */
  if (v < -1.0e9) return zero_point - 1000000000;
  int32_t r = (int32_t)(v < 0 ? -v + 0.5 : v + 0.5);
  return zero_point + (v < 0 ? -r : r);
}

int mbi_activation_range(uint32_t fused, float scale, int32_t zero_point, int32_t *act_min,
                         int32_t *act_max) {
  int32_t lo = -128, hi = 127, q;
  switch (fused) {
  case 0: break; /* NONE */
  case 1: /* RELU */
    q = quantize(0.0f, scale, zero_point);
    lo = q > lo ? q : lo;
    break;
  case 2: /* RELU_N1_TO_1 */
    q = quantize(-1.0f, scale, zero_point);
    lo = q > lo ? q : lo;
    q = quantize(1.0f, scale, zero_point);
    hi = q < hi ? q : hi;
    break;
  case 3: /* RELU6 */
    q = quantize(0.0f, scale, zero_point);
    lo = q > lo ? q : lo;
    q = quantize(6.0f, scale, zero_point);
    hi = q < hi ? q : hi;
    break;
  default: return MBI_ERR_PARAMS; /* TANH, SIGN_BIT: not a clamp */
  }
  *act_min = lo;
  *act_max = hi;
  return MBI_OK;
}

int mbi_window(uint32_t padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation,
               int32_t *out, int32_t *pad) {
  if (in < 1 || filter < 1 || stride < 1 || stride > INT16_MAX || dilation < 1 ||
      dilation > INT16_MAX)
    return MBI_ERR_PARAMS;
  const int64_t effective = (int64_t)(filter - 1) * dilation + 1;
  int64_t o;
  if (padding == 0) o = ((int64_t)in + stride - 1) / stride; /* SAME */
  else if (padding == 1) o = ((int64_t)in + stride - effective) / stride; /* VALID */
  else return MBI_ERR_PARAMS;
  if (o < 1) return MBI_ERR_PARAMS;
  int64_t p = ((o - 1) * stride + effective - in) / 2;
  if (p < 0) p = 0;
  if (p > INT16_MAX || o > INT32_MAX) return MBI_ERR_PARAMS;
  *out = (int32_t)o;
  *pad = (int32_t)p;
  return MBI_OK;
}

const mbi_tensor *mbi_tensor_of(const mbi_ctx *ctx, int32_t t, uint8_t type, int want_const) {
  if (t < 0 || t >= (int32_t)ctx->num_tensors) return (const mbi_tensor *)0;
  const mbi_tensor *x = &ctx->tensors[t];
  int is_const = (x->flags & MBI_T_CONST) != 0;
  if ((x->flags & MBI_T_BAD) || x->type != type || is_const != (want_const != 0))
    return (const mbi_tensor *)0;
  return x;
}

/* The QuantizationParameters table of tensor t, with its scale and zero point vectors. */
static int quant_vectors(mbi_ctx *ctx, int32_t t, mbi_vec *scales, mbi_vec *zero_points) {
  mbi_fb *fb = &ctx->fb;
  mbi_table tensor, q;
  mbi_fb_vec_table(fb, &ctx->fb_tensors, (uint32_t)t, &tensor);
  int has_q = mbi_fb_table(fb, &tensor, 4, &q);
  mbi_fb_vec(fb, &q, 2, 4, scales);
  mbi_fb_vec(fb, &q, 3, 8, zero_points);
  if (fb->err) return MBI_ERR_MODEL;
  if (!has_q || scales->len == 0 || (zero_points->len != 0 && zero_points->len != scales->len))
    return MBI_ERR_TENSOR; /* not quantized */
  return MBI_OK;
}

static int valid_scale(float s) { return s > 0.0f && s <= 3.0e38f; }

int mbi_quant(mbi_ctx *ctx, int32_t t, float *scale, int32_t *zero_point) {
  mbi_vec scales, zero_points;
  int rc = quant_vectors(ctx, t, &scales, &zero_points);
  if (rc != MBI_OK) return rc;
  *scale = mbi_fb_vec_f32(&ctx->fb, &scales, 0);
  int64_t zp = zero_points.len ? mbi_fb_vec_i64(&ctx->fb, &zero_points, 0) : 0;
  if (!valid_scale(*scale) || zp < -128 || zp > 127) return MBI_ERR_TENSOR;
  *zero_point = (int32_t)zp;
  return MBI_OK;
}

int mbi_filter_scales(mbi_ctx *ctx, int32_t t, mbi_vec *scales) {
  mbi_vec zero_points;
  int rc = quant_vectors(ctx, t, scales, &zero_points);
  for (uint32_t k = 0; rc == MBI_OK && k < zero_points.len; k++)
    if (mbi_fb_vec_i64(&ctx->fb, &zero_points, k) != 0) rc = MBI_ERR_TENSOR; /* symmetric only */
  return rc;
}

int mbi_prepare_requant(mbi_ctx *ctx, int32_t input, int32_t filter, int32_t output, uint32_t n,
                        uint32_t *requant_offset) {
  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  mbi_vec scales;
  int rc = mbi_quant(ctx, input, &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, output, &out_scale, &out_zp);
  if (rc == MBI_OK) rc = mbi_filter_scales(ctx, filter, &scales);
  if (rc != MBI_OK) return rc;
  if (scales.len != 1 && scales.len != n) return MBI_ERR_TENSOR;
  mb_requant *rq = (mb_requant *)mbi_alloc(ctx, n, sizeof(mb_requant));
  if (!rq) return MBI_ERR_ARENA;
  for (uint32_t k = 0; rc == MBI_OK && k < n; k++) {
    float f = mbi_fb_vec_f32(&ctx->fb, &scales, scales.len == 1 ? 0 : k);
    if (!valid_scale(f)) return MBI_ERR_TENSOR;
    double real = (double)in_scale * (double)f / (double)out_scale;
    rc = mbi_quantize_multiplier(real, &rq[k].mult, &rq[k].shift);
  }
  *requant_offset = mbi_offset(ctx, rq);
  return rc;
}
