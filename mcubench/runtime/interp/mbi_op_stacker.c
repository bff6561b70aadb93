/* STACKER ("SignalStacker"): options num_channels, stacker_left_context, stacker_right_context,
 * stacker_step; int16 in and out of rank 1, a scalar bool valid flag (TFLite Micro's
 * StackerPrepare and ops/stacker.py); the state follows the params record. */
#include "mbi_signal.h"

int mbi_stacker_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  static const char *const keys[] = {"num_channels", "stacker_left_context",
                                     "stacker_right_context", "stacker_step"};
  int32_t v[4];
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 2) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_INT16, 1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, MBI_OUT(ctx, op, 0), MBI_TYPE_INT16, 1);
  const mbi_tensor *valid = mbi_signal_tensor(ctx, MBI_OUT(ctx, op, 1), MBI_TYPE_BOOL, 0);
  if (!x || !y || !valid || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  int rc = mbi_signal_options(ctx, keys, 4, v);
  if (rc != MBI_OK) return rc;
  const int32_t c = v[0], left = v[1], right = v[2], step = v[3];
  if (c < 1 || left < 0 || right < 0 || (int64_t)left + right + 1 > INT32_MAX / c)
    return MBI_ERR_PARAMS;
  const int32_t frames = left + right + 1;
  if (step < 1 || step > frames || mbi_signal_count(x) < c || mbi_signal_count(y) < c * frames)
    return MBI_ERR_PARAMS;
  const uint32_t words = 1 + mb_cbuf_words(c * frames);
  mb_stacker_params *p =
      (mb_stacker_params *)mbi_alloc(ctx, 1, sizeof(mb_stacker_params) + 4 * words);
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  p->num_channels = c, p->left = left, p->size = c * frames, p->step_size = c * step;
  mb_stacker_reset(p, (int32_t *)(void *)(p + 1));
  return MBI_OK;
}

int mbi_stacker_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_stacker_params *p = (mb_stacker_params *)mbi_record(ctx, op->data);
  *(uint8_t *)mbi_out_data(ctx, MBI_OUT(ctx, op, 1)) = (uint8_t)mb_stacker_s16(
      p, (int32_t *)(void *)(p + 1), (const int16_t *)mbi_in_data(ctx, op->in[0]),
      (int16_t *)mbi_out_data(ctx, MBI_OUT(ctx, op, 0)));
  return MBI_OK;
}
