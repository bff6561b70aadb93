/* REDUCE_ALL over the axes of a constant int32 tensor of a bool tensor of rank 1..6
 * (mb_reduce.h). */
#include "mbi_reduce.h"

int mbi_reduce_all_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                           const mbi_table *options) {
  static const uint8_t types[1] = {MBI_TYPE_BOOL};
  (void)options; /* keep_dims: the bytes are the same either way */
  mb_reduce_params *p;
  return mbi_reduce_setup(ctx, op, options_type, types, 1, &p);
}

int mbi_reduce_all_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_reduce_all_bool((const mb_reduce_params *)mbi_record(ctx, op->data),
                     (const uint8_t *)mbi_in_data(ctx, op->in[0]),
                     (uint8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
