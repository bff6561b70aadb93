/* DELAY ("SignalDelay"): option delay_length (>= 0), int16 in and out of one size; the params
 * record is followed by the rows' circular buffers, reset here as TFLite Micro's DelayPrepare. */
#include "mbi_signal.h"

int mbi_delay_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  static const char *const keys[] = {"delay_length"};
  int32_t delay, dims[MBI_MAX_DIMS];
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_INT16, -1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, MBI_TYPE_INT16, -1);
  const int rank = mbi_shape(ctx, op->in[0], dims);
  if (!x || !y || rank < 1 || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  int rc = mbi_signal_options(ctx, keys, 1, &delay);
  if (rc != MBI_OK) return rc;
  if (delay < 0 || mbi_signal_count(y) != mbi_signal_count(x) || dims[rank - 1] < 1)
    return MBI_ERR_PARAMS;
  const int32_t frame = dims[rank - 1], outer = mbi_signal_count(x) / frame;
  const uint32_t words = (uint32_t)outer * mb_cbuf_words(frame + delay);
  mb_delay_params *p = (mb_delay_params *)mbi_alloc(ctx, 1, sizeof(mb_delay_params) + 4 * words);
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  p->frame_size = frame, p->delay = delay, p->outer = outer;
  mb_delay_reset(p, (int32_t *)(void *)(p + 1));
  return MBI_OK;
}

int mbi_delay_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_delay_params *p = (mb_delay_params *)mbi_record(ctx, op->data);
  mb_delay_s16(p, (int32_t *)(void *)(p + 1), (const int16_t *)mbi_in_data(ctx, op->in[0]),
               (int16_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
