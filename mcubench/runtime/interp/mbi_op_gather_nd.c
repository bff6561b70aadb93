/* GATHER_ND of an int8 or float32 tensor by an int32 index tensor (mb_gather.h): TFLite Micro's
 * GatherNdPrepare checks and the slices' strides (mcubench/ops/gather_nd.py computes the same
 * offline). */
#include "mbi_gather.h"

#define MBI_OPT_GATHER_ND 83 /* BuiltinOptions: GatherNdOptions */

int mbi_gather_nd_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                          const mbi_table *options) {
  (void)options; /* GatherNdOptions has no fields */
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_GATHER_ND && options_type != 0) return MBI_ERR_PARAMS;
  int32_t xd[MBI_MAX_DIMS], id[MBI_MAX_DIMS];
  int rank, irank;
  const mbi_tensor *x = mbi_gather_operand(ctx, op->in[0], 0, xd, &rank);
  const mbi_tensor *idx = mbi_gather_operand(ctx, op->in[1], 1, id, &irank);
  if (!x || !idx || rank < 1 || irank < 1) return MBI_ERR_TENSOR;
  const int32_t depth = id[irank - 1];
  if (depth < 1 || depth > rank || depth > MB_GATHER_ND_DEPTH) return MBI_ERR_PARAMS;
  mb_gather_nd_params *p = (mb_gather_nd_params *)mbi_alloc(ctx, 1, sizeof(mb_gather_nd_params));
  if (!p) return MBI_ERR_ARENA;
  p->depth = depth;
  p->slices = 1;
  for (int k = 0; k < irank - 1; k++) p->slices *= id[k];
  p->slice_elems = 1;
  for (int k = depth; k < rank; k++) p->slice_elems *= xd[k];
  p->flat = 1;
  for (int k = 0; k < rank; k++) p->flat *= xd[k];
  for (int j = 0; j < depth; j++) {
    p->stride[j] = 1;
    for (int k = j + 1; k < rank; k++) p->stride[j] *= xd[k];
  }
  p->elem_bytes = (int32_t)mbi_type_bytes(x->type);
  if (!mbi_gather_output(ctx, op, x->type, (uint32_t)(p->slices * p->slice_elems)))
    return MBI_ERR_TENSOR;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_gather_nd_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_gather_nd_params *p = (const mb_gather_nd_params *)mbi_record(ctx, op->data);
  return mb_gather_nd(p, mbi_in_data(ctx, op->in[0]),
                      (const int32_t *)mbi_in_data(ctx, op->in[1]), mbi_out_data(ctx, op->out));
}
