/* What the reductions share in the interpreter: the axes of the constant int32 tensor (negative
 * and repeated ones allowed) become at most MB_REDUCE_RUNS (kept, reduced) pairs of runs, axes of
 * extent 1 dropped and neighbours of the same kind merged, exactly as
 * mcubench/ops/common/reduce.py's reduce_loops does offline for the aot backend; one axis splits a
 * shape into the extents before, along and after it (split_at there). */
#include "mbi_reduce.h"

uint8_t mbi_reduce_type(const mbi_ctx *ctx, const mbi_op *op, const uint8_t *types, int n) {
  if (op->n_in < 1 || op->in[0] < 0 || op->in[0] >= (int32_t)ctx->num_tensors) return 0xff;
  const uint8_t type = ctx->tensors[op->in[0]].type;
  for (int k = 0; k < n; k++)
    if (types[k] == type) return type;
  return 0xff;
}

int mbi_reduce_setup(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const uint8_t *types, int n,
                     mb_reduce_params **params) {
  mbi_fb *fb = &ctx->fb;
  const uint8_t type = mbi_reduce_type(ctx, op, types, n);
  if (type == 0xff) return MBI_ERR_TENSOR;
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_REDUCER && options_type != 0) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *axis = mbi_tensor_of(ctx, op->in[1], MBI_TYPE_INT32, 1);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!x || !axis || !y) return MBI_ERR_TENSOR;
  int32_t dims[MBI_MAX_DIMS];
  const int rank = mbi_shape(ctx, op->in[0], dims);
  if (rank < 1 || fb->err) return MBI_ERR_TENSOR;

  int reduced[MBI_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  const uint32_t n_axes = mbi_bytes(axis) / 4;
  const int32_t *axes = (const int32_t *)mbi_in_data(ctx, op->in[1]);
  if (n_axes == 0) return MBI_ERR_PARAMS;
  for (uint32_t k = 0; k < n_axes; k++) {
    const int32_t a = axes[k];
    if (a < -rank || a >= rank) return MBI_ERR_PARAMS;
    reduced[a < 0 ? a + rank : a] = 1;
  }
  mb_reduce_params *p = (mb_reduce_params *)mbi_alloc(ctx, 1, sizeof(mb_reduce_params));
  if (!p) return MBI_ERR_ARENA;
  for (int j = 0; j < MB_REDUCE_RUNS; j++) p->outer[j] = p->inner[j] = 1;
  int j = 0, has_inner = 0;
  uint32_t outputs = 1;
  for (int k = 0; k < rank; k++) {
    if (dims[k] == 1) continue;
    if (dims[k] < 1) return MBI_ERR_TENSOR;
    if (reduced[k]) {
      p->inner[j] *= dims[k];
      has_inner = 1;
    } else {
      if (has_inner) j++, has_inner = 0; /* a kept run after a reduced one: the next pair */
      p->outer[j] *= dims[k];
      outputs *= (uint32_t)dims[k];
    }
  }
  p->count = 1;
  for (int k = 0; k < MB_REDUCE_RUNS; k++) p->count *= p->inner[k];
  if (outputs * mbi_type_bytes(type) != mbi_bytes(y)) return MBI_ERR_PARAMS;
  op->data = mbi_offset(ctx, p);
  *params = p;
  return MBI_OK;
}

int mbi_axis_split(const mbi_ctx *ctx, const mbi_op *op, uint32_t k, int32_t t, int32_t *outer,
                   int32_t *extent, int32_t *inner) {
  const int32_t a = mbi_op_input(ctx, op, k);
  const mbi_tensor *axis = mbi_tensor_of(ctx, a, MBI_TYPE_INT32, 1);
  int32_t dims[MBI_MAX_DIMS];
  const int rank = mbi_shape(ctx, t, dims);
  if (!axis || rank < 1) return MBI_ERR_TENSOR;
  if (mbi_bytes(axis) != 4) return MBI_ERR_PARAMS;
  int32_t v = *(const int32_t *)mbi_in_data(ctx, a);
  if (v < -rank || v >= rank) return MBI_ERR_PARAMS;
  if (v < 0) v += rank;
  *outer = *inner = 1;
  for (int d = 0; d < rank; d++) {
    if (dims[d] < 1) return MBI_ERR_TENSOR;
    if (d < v) *outer *= dims[d];
    if (d > v) *inner *= dims[d];
  }
  *extent = dims[v];
  return MBI_OK;
}

int mbi_rows_setup(const mbi_ctx *ctx, const mbi_op *op, int max_rank, int32_t *rows,
                   int32_t *depth) {
  static const uint8_t types[2] = {MBI_TYPE_INT8, MBI_TYPE_FLOAT32};
  if (op->n_in != 1 || op->n_out != 1) return MBI_ERR_PARAMS;
  const uint8_t type = mbi_reduce_type(ctx, op, types, 2);
  if (type == 0xff) return MBI_ERR_TENSOR;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, type, 0);
  if (!x || !y || x->rank < 1 || x->rank > max_rank) return MBI_ERR_TENSOR;
  *depth = x->dims.c; /* the last axis */
  if (mbi_bytes(x) != mbi_bytes(y) || *depth < 1 || y->dims.c != *depth) return MBI_ERR_PARAMS;
  *rows = (int32_t)(mbi_bytes(x) / mbi_type_bytes(type) / (uint32_t)*depth);
  return MBI_OK;
}
