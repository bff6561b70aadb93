/* What SUB and MUL share in the interpreter: operand checks, the broadcast loop nest from the
 * model's full shapes, quantization parameters and the fused activation for every type. */
#include "mbi_binary.h"

#define FLT_MAX_ 3.40282347e+38f /* <float.h>'s FLT_MAX: "no activation" */

static int operand(const mbi_ctx *ctx, int32_t t, uint8_t type, int may_be_const) {
  if (t < 0 || (uint32_t)t >= ctx->num_tensors) return 0;
  const mbi_tensor *x = &ctx->tensors[t];
  if ((x->flags & MBI_T_BAD) || x->type != type) return 0;
  return may_be_const || !(x->flags & MBI_T_CONST);
}

uint8_t mbi_binary_type(const mbi_ctx *ctx, const mbi_op *op) {
  if (op->out < 0 || (uint32_t)op->out >= ctx->num_tensors) return 0xff;
  const uint8_t type = ctx->tensors[op->out].type;
  return type == MBI_TYPE_INT8 || type == MBI_TYPE_INT16 || type == MBI_TYPE_FLOAT32 ? type : 0xff;
}

int mbi_binary_shapes(const mbi_ctx *ctx, const mbi_op *op, uint8_t type, mb_broadcast *b) {
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  if (!operand(ctx, op->in[0], type, 1) || !operand(ctx, op->in[1], type, 1) ||
      !operand(ctx, op->out, type, 0))
    return MBI_ERR_TENSOR;
  int32_t s1[MBI_MAX_DIMS], s2[MBI_MAX_DIMS], so[MBI_MAX_DIMS];
  const int r1 = mbi_shape(ctx, op->in[0], s1), r2 = mbi_shape(ctx, op->in[1], s2);
  const int ro = mbi_shape(ctx, op->out, so);
  if (r1 < 0 || r2 < 0 || ro < 0) return MBI_ERR_TENSOR;
  return mb_broadcast_init(b, r1, s1, r2, s2, ro, so) ? MBI_ERR_PARAMS : MBI_OK;
}

int mbi_binary_quant(mbi_ctx *ctx, int32_t t, uint8_t type, float *scale, int32_t *zero_point) {
  int rc = mbi_quant(ctx, t, scale, zero_point);
  if (rc == MBI_OK && type == MBI_TYPE_INT16 && *zero_point != 0) rc = MBI_ERR_TENSOR;
  return rc;
}

/* zero_point + round_half_away(f / scale), the division in float32 as TFLite does it. */
static int32_t quantize(float f, float scale, int32_t zero_point) {
  double v = (double)(f / scale);
  if (v > 1.0e9) v = 1.0e9; /* clamped to the type's range by the caller anyway */
  if (v < -1.0e9) v = -1.0e9;
  int32_t r = (int32_t)(v < 0 ? -v + 0.5 : v + 0.5);
  return zero_point + (v < 0 ? -r : r);
}

int mbi_binary_range(uint8_t type, uint32_t fused, float scale, int32_t zero_point,
                     int32_t *act_min, int32_t *act_max) {
  if (type == MBI_TYPE_INT8)
    return mbi_activation_range(fused, scale, zero_point, act_min, act_max);
  int32_t lo = INT16_MIN, hi = INT16_MAX, q;
  if (fused > 3) return MBI_ERR_PARAMS; /* TANH, SIGN_BIT: not a clamp */
  if (fused != 0) { /* RELU, RELU_N1_TO_1, RELU6 */
    q = quantize(fused == 2 ? -1.0f : 0.0f, scale, zero_point);
    lo = q > lo ? q : lo;
  }
  if (fused >= 2) {
    q = quantize(fused == 2 ? 1.0f : 6.0f, scale, zero_point);
    hi = q < hi ? q : hi;
  }
  *act_min = lo;
  *act_max = hi;
  return MBI_OK;
}

int mbi_binary_range_f32(uint32_t fused, float *act_min, float *act_max) {
  switch (fused) {
  case 0: *act_min = -FLT_MAX_, *act_max = FLT_MAX_; break;
  case 1: *act_min = 0.0f, *act_max = FLT_MAX_; break;
  case 2: *act_min = -1.0f, *act_max = 1.0f; break;
  case 3: *act_min = 0.0f, *act_max = 6.0f; break;
  default: return MBI_ERR_PARAMS;
  }
  return MBI_OK;
}
