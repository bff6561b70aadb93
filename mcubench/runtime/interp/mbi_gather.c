/* What GATHER, GATHER_ND and EMBEDDING_LOOKUP share in the interpreter: their data and index
 * operands may be constants (an embedding table, fixed positions) or activations. */
#include "mbi_gather.h"

const mbi_tensor *mbi_gather_operand(const mbi_ctx *ctx, int32_t t, int want_int32,
                                     int32_t *dims, int *rank) {
  if (t < 0 || t >= (int32_t)ctx->num_tensors) return (const mbi_tensor *)0;
  const mbi_tensor *x = &ctx->tensors[t];
  const int ok = want_int32 ? x->type == MBI_TYPE_INT32
                            : x->type == MBI_TYPE_INT8 || x->type == MBI_TYPE_FLOAT32;
  if (!ok || (x->flags & MBI_T_BAD)) return (const mbi_tensor *)0;
  *rank = mbi_shape(ctx, t, dims);
  for (int k = 0; k < *rank; k++)
    if (dims[k] < 1) return (const mbi_tensor *)0;
  return *rank < 0 ? (const mbi_tensor *)0 : x;
}

const mbi_tensor *mbi_gather_output(const mbi_ctx *ctx, const mbi_op *op, uint8_t type,
                                    uint32_t elements) {
  const mbi_tensor *y = op->n_out == 1 ? mbi_tensor_of(ctx, op->out, type, 0) : 0;
  return y && mbi_bytes(y) == elements * mbi_type_bytes(type) ? y : (const mbi_tensor *)0;
}
