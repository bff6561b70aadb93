/* MAX_POOL_2D: prepared by mbi_pool_prepare (mbi_op_pool.c), evaluated by mb_max_pool_s8
 * (mb_max_pool_f32 for float32 tensors). */
#include "mbi.h"

int mbi_max_pool_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (mbi_t(ctx, op->out)->type == MBI_TYPE_FLOAT32) {
    mb_max_pool_f32((const mb_pool_f32_params *)mbi_record(ctx, op->data),
                    &mbi_t(ctx, op->in[0])->dims, (const float *)mbi_in_data(ctx, op->in[0]),
                    &mbi_t(ctx, op->out)->dims, (float *)mbi_out_data(ctx, op->out));
    return MBI_OK;
  }
  mb_max_pool_s8((const mb_pool_params *)mbi_record(ctx, op->data), &mbi_t(ctx, op->in[0])->dims,
                 (const int8_t *)mbi_in_data(ctx, op->in[0]), &mbi_t(ctx, op->out)->dims,
                 (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
