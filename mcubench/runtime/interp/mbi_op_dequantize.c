/* DEQUANTIZE: int8 or int16 to float32 (mb_quantize.h); prepare keeps the input's scale and zero
 * point, eval picks the kernel by the input type. */
#include "mbi.h"
#include "mb_quantize.h"

int mbi_dequantize_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                           const mbi_table *options) {
  (void)options_type, (void)options; /* DequantizeOptions has no fields */
  if (op->n_in != 1 || op->n_out != 1 || op->in[0] < 0 ||
      op->in[0] >= (int32_t)ctx->num_tensors)
    return MBI_ERR_PARAMS;
  const uint8_t type = ctx->tensors[op->in[0]].type;
  if (type != MBI_TYPE_INT8 && type != MBI_TYPE_INT16) return MBI_ERR_TENSOR;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, MBI_TYPE_FLOAT32, 0);
  if (!x || !y) return MBI_ERR_TENSOR;
  if (mbi_bytes(x) / mbi_type_bytes(type) != mbi_bytes(y) / 4) return MBI_ERR_PARAMS;

  mb_dequantize_params *p =
      (mb_dequantize_params *)mbi_alloc(ctx, 1, sizeof(mb_dequantize_params));
  if (!p) return MBI_ERR_ARENA;
  int rc = mbi_quant(ctx, op->in[0], &p->scale, &p->zero_point);
  if (rc != MBI_OK) return rc;
  if (type == MBI_TYPE_INT16 && p->zero_point != 0) return MBI_ERR_TENSOR; /* symmetric */
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_dequantize_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_dequantize_params *p = (const mb_dequantize_params *)mbi_record(ctx, op->data);
  const mbi_tensor *y = mbi_t(ctx, op->out);
  const int32_t n = (int32_t)(mbi_bytes(y) / 4);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8)
    mb_dequantize_s8_f32(p, n, (const int8_t *)mbi_in_data(ctx, op->in[0]),
                         (float *)mbi_out_data(ctx, op->out));
  else
    mb_dequantize_s16_f32(p, n, (const int16_t *)mbi_in_data(ctx, op->in[0]),
                          (float *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
