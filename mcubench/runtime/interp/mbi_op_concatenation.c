/* CONCATENATION of 1..10 inputs (TFLite Micro's limit) along a (possibly negative) axis, no fused
 * activation: one copy per input into its block of the output. TFLite Micro copies the bytes, so
 * it requires int8 inputs quantized as the output and int16 zero points of 0; so does this. */
#include "mbi_move.h"

#define OPT_CONCATENATION 10 /* BuiltinOptions: ConcatenationOptions */
#define MAX_INPUTS 10

int mbi_concatenation_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                              const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], xs[MBI_MAX_DIMS], ys[MBI_MAX_DIMS];
  if (op->n_in < 1 || op->n_in > MAX_INPUTS || op->n_out != 1 ||
      (options_type != OPT_CONCATENATION && options->pos != 0))
    return MBI_ERR_PARAMS;
  const int32_t axis_opt = mbi_fb_int(fb, options, 0, 4, 0); /* schema: ConcatenationOptions */
  const uint32_t fused = mbi_fb_uint(fb, options, 1, 1, 0);
  if (fb->err) return MBI_ERR_MODEL;
  const int r = mbi_move_tensor(ctx, op->out, 1, MBI_MAX_DIMS, 1, yd);
  if (r < 0) return MBI_ERR_TENSOR;
  if (fused != 0 || axis_opt < -r || axis_opt >= r) return MBI_ERR_PARAMS;
  const int axis = axis_opt < 0 ? axis_opt + r : axis_opt;
  const uint8_t type = mbi_t(ctx, op->out)->type;
  float out_scale, scale;
  int32_t out_zp, zp;
  int rc = mbi_move_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc != MBI_OK) return rc;
  if (type == MBI_TYPE_INT16 && out_zp != 0) return MBI_ERR_TENSOR;
  mbi_move_data *d = mbi_move_alloc(ctx, op, op->n_in);
  if (!d) return MBI_ERR_ARENA;
  mbi_move_copy *c = mbi_move_copies(d);
  mbi_move_steps(yd, r, ys);
  int32_t offset = 0;
  for (uint32_t k = 0; k < op->n_in; k++) {
    const int32_t x = mbi_op_input(ctx, op, k);
    if (mbi_move_tensor(ctx, x, 1, MBI_MAX_DIMS, 0, xd) != r || mbi_t(ctx, x)->type != type)
      return MBI_ERR_TENSOR;
    rc = mbi_move_quant(ctx, x, &scale, &zp);
    if (rc != MBI_OK) return rc;
    if ((type == MBI_TYPE_INT8 && (scale != out_scale || zp != out_zp)) ||
        (type == MBI_TYPE_INT16 && zp != 0))
      return MBI_ERR_TENSOR;
    for (int a = 0; a < r; a++)
      if (a != axis && xd[a] != yd[a]) return MBI_ERR_PARAMS;
    if (xd[axis] > yd[axis] - offset) return MBI_ERR_PARAMS;
    mbi_move_steps(xd, r, xs);
    mbi_move_set(&c[k], x, op->out, (int32_t)mbi_type_bytes(type), r, xd, xs, ys, 0,
                 offset * ys[axis]);
    offset += xd[axis];
  }
  return offset == yd[axis] ? MBI_OK : MBI_ERR_PARAMS;
}
