/* ARG_MAX of an int8 or float32 tensor of rank 1..6 into int32 along the axis of a constant int32
 * tensor of one value (mb_reduce.h), TFLite Micro's types. */
#include "mbi_reduce.h"

#define MBI_OPT_ARG_MAX 40 /* BuiltinOptions: ArgMaxOptions */

int mbi_arg_max_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options; /* output_type: TFLite Micro goes by the output tensor's type */
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_ARG_MAX && options_type != 0) return MBI_ERR_PARAMS;
  return mbi_arg_prepare(ctx, op);
}

int mbi_arg_max_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_arg_params *p = (const mb_arg_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  int32_t *out = (int32_t *)mbi_out_data(ctx, op->out);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8)
    mb_arg_max_s8(p, (const int8_t *)in, out);
  else
    mb_arg_max_f32(p, (const float *)in, out);
  return MBI_OK;
}
