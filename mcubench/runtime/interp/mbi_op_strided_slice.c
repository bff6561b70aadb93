/* STRIDED_SLICE (ranks 1..4, TFLite Micro's limit) with constant int32 begin/end/strides, the
 * begin, end and shrink-axis masks, and negative strides: one copy with scaled input steps. The
 * ellipsis and new-axis masks and `offset` are refused (TFLite Micro ignores them). */
#include "mbi_move.h"

#define OPT_STRIDED_SLICE 32 /* BuiltinOptions: StridedSliceOptions */

/* One axis as TFLite Micro's eval walks it: negative indices count from the end, then clamp to
 * [0, size] (stride > 0) or [-1, size - 1] (stride < 0); a mask takes the whole axis; a shrunk
 * axis takes one element, which TFLite Micro only produces for a positive stride and a begin
 * inside the axis. Returns 0 for what it cannot run. */
static int slice_axis(int32_t size, int32_t begin, int32_t end, int32_t stride, int begin_mask,
                      int end_mask, int shrink, int32_t *start, int32_t *count) {
  const int64_t lo = stride > 0 ? 0 : -1, hi = stride > 0 ? size : size - 1;
  int64_t s = begin < 0 ? (int64_t)begin + size : begin;
  s = s < lo ? lo : s > hi ? hi : s;
  if (begin_mask) s = stride > 0 ? 0 : size - 1;
  *start = (int32_t)s;
  if (shrink) {
    *count = 1;
    return stride > 0 && s >= 0 && s < size;
  }
  int64_t e = end < 0 ? (int64_t)end + size : end;
  e = e < lo ? lo : e > hi ? hi : e;
  if (end_mask) e = stride > 0 ? size : -1;
  const int64_t n = stride > 0 ? (e - s + stride - 1) / stride : (s - e - stride - 1) / -stride;
  *count = n > 0 ? (int32_t)n : 0;
  return 1;
}

int mbi_strided_slice_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                              const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], begin[MBI_MAX_DIMS], end[MBI_MAX_DIMS];
  int32_t stride[MBI_MAX_DIMS], start[MBI_MAX_DIMS], count[MBI_MAX_DIMS], xs[MBI_MAX_DIMS];
  int32_t in_step[MBI_MAX_DIMS], out_step[MBI_MAX_DIMS];
  if (op->n_in != 4 || op->n_out != 1) return MBI_ERR_PARAMS;
  if (options_type != OPT_STRIDED_SLICE && options->pos != 0) return MBI_ERR_PARAMS;
  const uint32_t begin_mask = mbi_fb_uint(fb, options, 0, 4, 0); /* schema: StridedSliceOptions */
  const uint32_t end_mask = mbi_fb_uint(fb, options, 1, 4, 0);
  const uint32_t ellipsis_mask = mbi_fb_uint(fb, options, 2, 4, 0);
  const uint32_t new_axis_mask = mbi_fb_uint(fb, options, 3, 4, 0);
  const uint32_t shrink_mask = mbi_fb_uint(fb, options, 4, 4, 0);
  const uint32_t offset = mbi_fb_uint(fb, options, 5, 1, 0);
  if (fb->err) return MBI_ERR_MODEL;
  if (ellipsis_mask || new_axis_mask || offset) return MBI_ERR_PARAMS;

  const int r = mbi_move_tensor(ctx, op->in[0], 1, 4, 0, xd);
  const int ry = mbi_move_tensor(ctx, op->out, 0, 4, 1, yd);
  if (r < 0 || ry < 0 || mbi_t(ctx, op->in[0])->type != mbi_t(ctx, op->out)->type)
    return MBI_ERR_TENSOR;
  if (mbi_move_ints(ctx, mbi_op_input(ctx, op, 1), 0, begin, MBI_MAX_DIMS) != r ||
      mbi_move_ints(ctx, mbi_op_input(ctx, op, 2), 0, end, MBI_MAX_DIMS) != r ||
      mbi_move_ints(ctx, mbi_op_input(ctx, op, 3), 0, stride, MBI_MAX_DIMS) != r)
    return MBI_ERR_PARAMS;
  int kept = 0;
  int32_t in_offset = 0;
  mbi_move_steps(xd, r, xs);
  for (int a = 0; a < r; a++) {
    const int shrink = (int)(shrink_mask >> a & 1u);
    if (stride[a] == 0 ||
        !slice_axis(xd[a], begin[a], end[a], stride[a], (int)(begin_mask >> a & 1u),
                    (int)(end_mask >> a & 1u), shrink, &start[a], &count[a]))
      return MBI_ERR_PARAMS;
    if (!shrink && (kept >= ry || yd[kept++] != count[a])) return MBI_ERR_PARAMS;
    in_step[a] = xs[a] * stride[a];
    in_offset += start[a] * xs[a];
  }
  if (kept != ry) return MBI_ERR_PARAMS;
  mbi_move_steps(count, r, out_step);
  mbi_move_data *d = mbi_move_alloc(ctx, op, 1);
  if (!d) return MBI_ERR_ARENA;
  mbi_move_set(mbi_move_copies(d), op->in[0], op->out,
               (int32_t)mbi_type_bytes(mbi_t(ctx, op->out)->type), r, count, in_step, out_step,
               in_offset, 0);
  return MBI_OK;
}
