/* ARG_MAX and ARG_MIN of an int8 or float32 tensor of rank 1..6 into int32 along the axis of a
 * constant int32 tensor of one value (mb_reduce.h), TFLite Micro's types: one prepare, one eval
 * each. */
#include "mbi_reduce.h"

#define MBI_OPT_ARG_MAX 40 /* BuiltinOptions: ArgMaxOptions, ArgMinOptions */
#define MBI_OPT_ARG_MIN 57

int mbi_arg_min_max_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                            const mbi_table *options) {
  static const uint8_t types[2] = {MBI_TYPE_INT8, MBI_TYPE_FLOAT32};
  (void)options; /* output_type: TFLite Micro goes by the output tensor's type */
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  if (options_type != MBI_OPT_ARG_MAX && options_type != MBI_OPT_ARG_MIN && options_type != 0)
    return MBI_ERR_PARAMS;
  const uint8_t type = mbi_reduce_type(ctx, op, types, 2);
  if (type == 0xff) return MBI_ERR_TENSOR;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], type, 0);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, MBI_TYPE_INT32, 0);
  if (!x || !y) return MBI_ERR_TENSOR;
  mb_arg_params *p = (mb_arg_params *)mbi_alloc(ctx, 1, sizeof(mb_arg_params));
  if (!p) return MBI_ERR_ARENA;
  int rc = mbi_axis_split(ctx, op, 1, op->in[0], &p->outer, &p->extent, &p->inner);
  if (rc != MBI_OK) return rc;
  if ((uint32_t)p->outer * (uint32_t)p->inner * 4u != mbi_bytes(y)) return MBI_ERR_PARAMS;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
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

int mbi_arg_min_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mb_arg_params *p = (const mb_arg_params *)mbi_record(ctx, op->data);
  const void *in = mbi_in_data(ctx, op->in[0]);
  int32_t *out = (int32_t *)mbi_out_data(ctx, op->out);
  if (mbi_t(ctx, op->in[0])->type == MBI_TYPE_INT8)
    mb_arg_min_s8(p, (const int8_t *)in, out);
  else
    mb_arg_min_f32(p, (const float *)in, out);
  return MBI_OK;
}
