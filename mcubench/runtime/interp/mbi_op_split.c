/* SPLIT (inputs: axis, input) and SPLIT_V (input, size_splits, axis) with a constant axis, as
 * TFLite Micro requires: one copy per output, each the next block of the input along the axis. */
#include "mbi_move.h"

#define OPT_SPLIT 35 /* BuiltinOptions: SplitOptions */
#define OPT_SPLIT_V 79

/* Copies for outputs of the input's shape but along `axis`; MBI_ERR_* if they do not fit. */
static int split(mbi_ctx *ctx, mbi_op *op, int32_t input, int32_t axis_tensor) {
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], xs[MBI_MAX_DIMS], ys[MBI_MAX_DIMS], axis;
  const int r = mbi_move_tensor(ctx, input, 1, MBI_MAX_DIMS, 0, xd);
  if (r < 0) return MBI_ERR_TENSOR;
  if (mbi_move_ints(ctx, axis_tensor, 0, &axis, 1) != 1 || axis < -r || axis >= r)
    return MBI_ERR_PARAMS;
  if (axis < 0) axis += r;
  mbi_move_data *d = mbi_move_alloc(ctx, op, op->n_out);
  if (!d) return MBI_ERR_ARENA;
  mbi_move_copy *c = mbi_move_copies(d);
  const int32_t elem = (int32_t)mbi_type_bytes(mbi_t(ctx, input)->type);
  int32_t offset = 0;
  mbi_move_steps(xd, r, xs);
  for (uint32_t k = 0; k < op->n_out; k++) {
    const int32_t y = mbi_op_output(ctx, op, k);
    if (mbi_move_tensor(ctx, y, 1, MBI_MAX_DIMS, 1, yd) != r ||
        mbi_t(ctx, y)->type != mbi_t(ctx, input)->type)
      return MBI_ERR_TENSOR;
    for (int a = 0; a < r; a++)
      if (a != axis && yd[a] != xd[a]) return MBI_ERR_PARAMS;
    if (yd[axis] > xd[axis] - offset) return MBI_ERR_PARAMS;
    mbi_move_steps(yd, r, ys);
    mbi_move_set(&c[k], input, y, elem, r, yd, xs, ys, offset * xs[axis], 0);
    offset += yd[axis];
  }
  return offset == xd[axis] ? MBI_OK : MBI_ERR_PARAMS;
}

int mbi_split_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  if (op->n_in != 2 || (options_type != OPT_SPLIT && options->pos != 0)) return MBI_ERR_PARAMS;
  const int32_t num = mbi_fb_int(&ctx->fb, options, 0, 4, 0); /* SplitOptions; 0: not given */
  if (ctx->fb.err) return MBI_ERR_MODEL;
  if (num != 0 && num != (int32_t)op->n_out) return MBI_ERR_PARAMS;
  int rc = split(ctx, op, op->in[1], op->in[0]);
  if (rc != MBI_OK) return rc;
  /* SPLIT: equal parts */
  int32_t first[MBI_MAX_DIMS], other[MBI_MAX_DIMS];
  const int r = mbi_shape(ctx, mbi_op_output(ctx, op, 0), first);
  for (uint32_t k = 1; k < op->n_out; k++) {
    mbi_shape(ctx, mbi_op_output(ctx, op, k), other);
    for (int a = 0; a < r; a++)
      if (other[a] != first[a]) return MBI_ERR_PARAMS;
  }
  return MBI_OK;
}

int mbi_split_v_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                        const mbi_table *options) {
  if (op->n_in != 3 || (options_type != OPT_SPLIT_V && options->pos != 0)) return MBI_ERR_PARAMS;
  const int32_t num = mbi_fb_int(&ctx->fb, options, 0, 4, 0);
  if (ctx->fb.err) return MBI_ERR_MODEL;
  if (num != 0 && num != (int32_t)op->n_out) return MBI_ERR_PARAMS;
  int rc = split(ctx, op, op->in[0], op->in[2]);
  if (rc != MBI_OK) return rc;
  /* constant size_splits (one may be -1: the rest) must say what the outputs' shapes say */
  const int32_t sizes = op->in[1];
  if (sizes < 0 || !(mbi_t(ctx, sizes)->flags & MBI_T_CONST)) return MBI_OK;
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], axis;
  const int r = mbi_shape(ctx, op->in[0], xd);
  mbi_move_ints(ctx, op->in[2], 0, &axis, 1);
  if (axis < 0) axis += r;
  const mbi_tensor *s = mbi_t(ctx, sizes);
  if ((s->type != MBI_TYPE_INT32 && s->type != MBI_TYPE_INT64) || (s->flags & MBI_T_BAD) ||
      mbi_bytes(s) / mbi_type_bytes(s->type) != op->n_out)
    return MBI_ERR_PARAMS;
  const void *data = mbi_in_data(ctx, sizes);
  int64_t known = 0, unknown = 0;
  for (uint32_t k = 0; k < op->n_out; k++) {
    const int64_t v = s->type == MBI_TYPE_INT32 ? ((const int32_t *)data)[k]
                                                : ((const int64_t *)data)[k];
    mbi_shape(ctx, mbi_op_output(ctx, op, k), yd);
    if (v == -1) unknown++;
    else if (v != yd[axis]) return MBI_ERR_PARAMS;
    else known += v;
  }
  return unknown == 0 || (unknown == 1 && known < xd[axis]) ? MBI_OK : MBI_ERR_PARAMS;
}
