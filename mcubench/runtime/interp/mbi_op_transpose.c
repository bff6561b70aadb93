/* TRANSPOSE (ranks 1..5, TFLite Micro's limit): one copy reading the input with permuted steps. */
#include "mbi_move.h"

int mbi_transpose_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                          const mbi_table *options) {
  (void)options_type, (void)options; /* TransposeOptions has no fields */
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], perm[MBI_MAX_DIMS], xs[MBI_MAX_DIMS];
  int32_t in_step[MBI_MAX_DIMS], out_step[MBI_MAX_DIMS];
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  const int r = mbi_move_tensor(ctx, op->in[0], 1, 5, 0, xd);
  if (r < 0 || mbi_move_tensor(ctx, op->out, 1, 5, 1, yd) != r ||
      mbi_t(ctx, op->in[0])->type != mbi_t(ctx, op->out)->type)
    return MBI_ERR_TENSOR;
  if (mbi_move_ints(ctx, op->in[1], 0, perm, MBI_MAX_DIMS) != r) return MBI_ERR_PARAMS;
  uint32_t seen = 0;
  for (int k = 0; k < r; k++) {
    if (perm[k] < 0 || perm[k] >= r || (seen >> perm[k] & 1u) || yd[k] != xd[perm[k]])
      return MBI_ERR_PARAMS;
    seen |= 1u << perm[k];
  }
  mbi_move_steps(xd, r, xs);
  mbi_move_steps(yd, r, out_step);
  for (int k = 0; k < r; k++) in_step[k] = xs[perm[k]];
  mbi_move_data *d = mbi_move_alloc(ctx, op, 1);
  if (!d) return MBI_ERR_ARENA;
  mbi_move_set(mbi_move_copies(d), op->in[0], op->out,
               (int32_t)mbi_type_bytes(mbi_t(ctx, op->out)->type), r, yd, in_step, out_step, 0, 0);
  return MBI_OK;
}
