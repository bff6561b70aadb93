/* GATHER of an int8 or float32 tensor by int32 positions along `axis`, with `batch_dims`
 * (mb_gather.h): TFLite Micro's GatherPrepare checks and the kernel's extents
 * (mcubench/ops/gather.py computes the same offline). */
#include "mbi_gather.h"

#define MBI_OPT_GATHER 23 /* BuiltinOptions: GatherOptions */

static int32_t product(const int32_t *dims, int from, int to) {
  int32_t n = 1;
  for (int k = from; k < to; k++) n *= dims[k];
  return n;
}

int mbi_gather_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_GATHER && options_type != 0) return MBI_ERR_PARAMS;
  int32_t axis = mbi_fb_int(fb, options, 0, 4, 0);
  int32_t batch_dims = mbi_fb_int(fb, options, 1, 4, 0);
  if (fb->err) return MBI_ERR_MODEL;
  int32_t xd[MBI_MAX_DIMS], pd[MBI_MAX_DIMS];
  int rank, prank;
  const mbi_tensor *x = mbi_gather_operand(ctx, op->in[0], 0, xd, &rank);
  const mbi_tensor *pos = mbi_gather_operand(ctx, op->in[1], 1, pd, &prank);
  if (!x || !pos || rank < 1) return MBI_ERR_TENSOR;
  if (axis < 0) axis += rank;
  if (batch_dims < 0) batch_dims += prank;
  if (axis < 0 || axis >= rank || batch_dims < 0 || batch_dims > axis || batch_dims >= rank ||
      batch_dims > prank)
    return MBI_ERR_PARAMS;
  for (int k = 0; k < batch_dims; k++)
    if (xd[k] != pd[k]) return MBI_ERR_PARAMS;
  mb_gather_params *p = (mb_gather_params *)mbi_alloc(ctx, 1, sizeof(mb_gather_params));
  if (!p) return MBI_ERR_ARENA;
  p->batch = product(xd, 0, batch_dims);
  p->outer = product(xd, batch_dims, axis);
  p->extent = xd[axis];
  p->coords = product(pd, batch_dims, prank);
  const int32_t inner = product(xd, axis + 1, rank);
  p->inner_bytes = inner * (int32_t)mbi_type_bytes(x->type);
  const uint32_t elements = (uint32_t)(p->batch * p->outer * p->coords) * (uint32_t)inner;
  if (!mbi_gather_output(ctx, op, x->type, elements)) return MBI_ERR_TENSOR;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_gather_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_gather_params *p = (const mb_gather_params *)mbi_record(ctx, op->data);
  return mb_gather(p, mbi_in_data(ctx, op->in[0]), (const int32_t *)mbi_in_data(ctx, op->in[1]),
                   mbi_out_data(ctx, op->out));
}
