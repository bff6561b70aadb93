/* UNPACK along a (possibly negative) axis: one copy per output, each one slice of the input. */
#include "mbi_move.h"

#define OPT_UNPACK 64 /* BuiltinOptions: UnpackOptions */

int mbi_unpack_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], xs[MBI_MAX_DIMS], box[MBI_MAX_DIMS];
  int32_t bs[MBI_MAX_DIMS];
  if (op->n_in != 1 || (options_type != OPT_UNPACK && options->pos != 0)) return MBI_ERR_PARAMS;
  const int32_t num = mbi_fb_int(fb, options, 0, 4, 0); /* schema: UnpackOptions */
  const int32_t axis_opt = mbi_fb_int(fb, options, 1, 4, 0);
  if (fb->err) return MBI_ERR_MODEL;
  const int r = mbi_move_tensor(ctx, op->in[0], 1, MBI_MAX_DIMS, 0, xd);
  if (r < 0) return MBI_ERR_TENSOR;
  if (axis_opt < -r || axis_opt >= r) return MBI_ERR_PARAMS;
  const int axis = axis_opt < 0 ? axis_opt + r : axis_opt;
  if (num != (int32_t)op->n_out || num != xd[axis]) return MBI_ERR_PARAMS;
  mbi_move_data *d = mbi_move_alloc(ctx, op, op->n_out);
  if (!d) return MBI_ERR_ARENA;
  mbi_move_copy *c = mbi_move_copies(d);
  const int32_t elem = (int32_t)mbi_type_bytes(mbi_t(ctx, op->in[0])->type);
  mbi_move_steps(xd, r, xs);
  for (int a = 0; a < r; a++) box[a] = a == axis ? 1 : xd[a];
  mbi_move_steps(box, r, bs);
  for (uint32_t k = 0; k < op->n_out; k++) {
    const int32_t y = mbi_op_output(ctx, op, k);
    if (mbi_move_tensor(ctx, y, 0, MBI_MAX_DIMS - 1, 1, yd) != r - 1 ||
        mbi_t(ctx, y)->type != mbi_t(ctx, op->in[0])->type)
      return MBI_ERR_TENSOR;
    for (int a = 0; a < r - 1; a++)
      if (yd[a] != xd[a < axis ? a : a + 1]) return MBI_ERR_PARAMS;
    mbi_move_set(&c[k], op->in[0], y, elem, r, box, xs, bs, (int32_t)k * xs[axis], 0);
  }
  return MBI_OK;
}
