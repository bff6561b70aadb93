/* AVERAGE_POOL_2D on the optimized path: int8 pooling keeps the reference preparation and record
 * (mbi_pool_prepare, mb_pool_params) and runs aot's mb_avg_pool_s8_opt; other types go to the
 * reference registration. */
#include "mbi_opt.h"

int mbi_avg_pool_opt_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                             const mbi_table *options) {
  if (!mbi_tensor_of(ctx, op->in[0], MBI_TYPE_INT8, 0) ||
      !mbi_tensor_of(ctx, op->out, MBI_TYPE_INT8, 0))
    return mbi_opt_fallback(ctx, op, options_type, options);
  return mbi_pool_prepare(ctx, op, options_type, options);
}

int mbi_avg_pool_opt_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_avg_pool_s8_opt((const mb_pool_params *)mbi_record(ctx, op->data),
                     &mbi_t(ctx, op->in[0])->dims, (const int8_t *)mbi_in_data(ctx, op->in[0]),
                     &mbi_t(ctx, op->out)->dims, (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
