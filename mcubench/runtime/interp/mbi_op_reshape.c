/* RESHAPE: no data moves. The planner gives the output its input's bytes; only if that was not
 * possible (never for activations of equal size) does eval copy. */
#include "mbi.h"

int mbi_reshape_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options_type, (void)options; /* the new shape is the output tensor's */
  if (op->n_in < 1 || op->in[0] < 0) return MBI_ERR_PARAMS;
  const mbi_tensor *x = &ctx->tensors[op->in[0]], *y = &ctx->tensors[op->out];
  if ((x->flags | y->flags) & (MBI_T_CONST | MBI_T_BAD)) return MBI_ERR_TENSOR;
  if (mbi_bytes(x) != mbi_bytes(y)) return MBI_ERR_PARAMS;
  return MBI_OK;
}

int mbi_reshape_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_tensor *x = mbi_t(ctx, op->in[0]), *y = mbi_t(ctx, op->out);
  if (x->data != y->data)
    mb_copy_s8((int32_t)mbi_bytes(x), (const int8_t *)mbi_in_data(ctx, op->in[0]),
               (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
