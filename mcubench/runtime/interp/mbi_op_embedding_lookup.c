/* EMBEDDING_LOOKUP: rows of an int8 or float32 value tensor by a 1-D int32 lookup (mb_gather.h);
 * int8 -> float32 rows are dequantized (zero point 0), as TFLite Micro's EmbeddingLookUpPrepare
 * checks (mcubench/ops/embedding_lookup.py computes the same offline). */
#include "mbi_gather.h"

int mbi_embedding_lookup_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                 const mbi_table *options) {
  (void)options;
  if (op->n_in != 2 || op->n_out != 1 || options_type != 0) return MBI_ERR_PARAMS;
  int32_t ld[MBI_MAX_DIMS], vd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS];
  int lrank, vrank;
  const mbi_tensor *ids = mbi_gather_operand(ctx, op->in[0], 1, ld, &lrank);
  const mbi_tensor *v = mbi_gather_operand(ctx, op->in[1], 0, vd, &vrank);
  if (!ids || !v || lrank != 1 || vrank < 2) return MBI_ERR_TENSOR;
  if (op->out < 0 || op->out >= (int32_t)ctx->num_tensors) return MBI_ERR_TENSOR;
  const uint8_t out_type = ctx->tensors[op->out].type;
  if (out_type != v->type && out_type != MBI_TYPE_FLOAT32) return MBI_ERR_TENSOR;
  if (mbi_shape(ctx, op->out, yd) < vrank) return MBI_ERR_PARAMS;
  mb_embedding_lookup_params *p =
      (mb_embedding_lookup_params *)mbi_alloc(ctx, 1, sizeof(mb_embedding_lookup_params));
  if (!p) return MBI_ERR_ARENA;
  p->lookups = ld[0], p->rows = vd[0];
  p->columns = 1;
  for (int k = 1; k < vrank; k++) p->columns *= vd[k];
  p->elem_bytes = (int32_t)mbi_type_bytes(v->type);
  if (!mbi_gather_output(ctx, op, out_type, (uint32_t)(p->lookups * p->columns)))
    return MBI_ERR_TENSOR;
  if (v->type == MBI_TYPE_INT8 && out_type == MBI_TYPE_FLOAT32) {
    int32_t zp;
    int rc = mbi_quant(ctx, op->in[1], &p->scale, &zp);
    if (rc != MBI_OK) return rc;
    if (zp != 0) return MBI_ERR_TENSOR;
    p->dequantize = 1;
  }
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_embedding_lookup_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_embedding_lookup_params *p =
      (const mb_embedding_lookup_params *)mbi_record(ctx, op->data);
  return mb_embedding_lookup(p, (const int32_t *)mbi_in_data(ctx, op->in[0]),
                             mbi_in_data(ctx, op->in[1]), mbi_out_data(ctx, op->out));
}
