/* PACK along a (possibly negative) axis of the output: one copy per input into its slice. */
#include "mbi_move.h"

#define OPT_PACK 59 /* BuiltinOptions: PackOptions */

int mbi_pack_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], ys[MBI_MAX_DIMS], box[MBI_MAX_DIMS];
  int32_t bs[MBI_MAX_DIMS];
  if (op->n_in < 1 || op->n_out != 1 || (options_type != OPT_PACK && options->pos != 0))
    return MBI_ERR_PARAMS;
  const int32_t count = mbi_fb_int(fb, options, 0, 4, 0); /* schema: PackOptions */
  const int32_t axis_opt = mbi_fb_int(fb, options, 1, 4, 0);
  if (fb->err) return MBI_ERR_MODEL;
  const int r = mbi_move_tensor(ctx, op->out, 1, MBI_MAX_DIMS, 1, yd);
  if (r < 0) return MBI_ERR_TENSOR;
  if (axis_opt < -r || axis_opt >= r) return MBI_ERR_PARAMS;
  const int axis = axis_opt < 0 ? axis_opt + r : axis_opt;
  if (count != (int32_t)op->n_in || count != yd[axis]) return MBI_ERR_PARAMS;
  mbi_move_data *d = mbi_move_alloc(ctx, op, op->n_in);
  if (!d) return MBI_ERR_ARENA;
  mbi_move_copy *c = mbi_move_copies(d);
  const int32_t elem = (int32_t)mbi_type_bytes(mbi_t(ctx, op->out)->type);
  mbi_move_steps(yd, r, ys);
  for (int a = 0; a < r; a++) box[a] = a == axis ? 1 : yd[a];
  mbi_move_steps(box, r, bs);
  for (uint32_t k = 0; k < op->n_in; k++) {
    const int32_t x = mbi_op_input(ctx, op, k);
    if (mbi_move_tensor(ctx, x, 0, MBI_MAX_DIMS - 1, 0, xd) != r - 1 ||
        mbi_t(ctx, x)->type != mbi_t(ctx, op->out)->type)
      return MBI_ERR_TENSOR;
    for (int a = 0; a < r - 1; a++)
      if (xd[a] != yd[a < axis ? a : a + 1]) return MBI_ERR_PARAMS;
    mbi_move_set(&c[k], x, op->out, elem, r, box, bs, ys, 0, (int32_t)k * ys[axis]);
  }
  return MBI_OK;
}
