/* FRAMER ("SignalFramer"): options frame_size, frame_step, prefill; int16 in, int16 out of one
 * more rank with rows x n_frames x frame_size values, a scalar bool valid flag (TFLite Micro's
 * FramerPrepare and ops/framer.py); the rows' circular buffers follow the params record. */
#include "mbi_signal.h"

int mbi_framer_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  static const char *const keys[] = {"frame_size", "frame_step", "prefill"};
  int32_t v[3], dims[MBI_MAX_DIMS];
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 2) return MBI_ERR_PARAMS;
  const int rank = mbi_shape(ctx, op->in[0], dims);
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_INT16, -1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, MBI_OUT(ctx, op, 0), MBI_TYPE_INT16, rank + 1);
  const mbi_tensor *valid = mbi_signal_tensor(ctx, MBI_OUT(ctx, op, 1), MBI_TYPE_BOOL, 0);
  if (!x || !y || !valid || rank < 1 || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  int rc = mbi_signal_options(ctx, keys, 3, v);
  if (rc != MBI_OK) return rc;
  const int32_t size = v[0], step = v[1], prefill = v[2] != 0, inner = dims[rank - 1];
  if (size < 1 || step < 1 || inner < step || inner % step != 0 || (prefill && size < step))
    return MBI_ERR_PARAMS;
  const int32_t outer = mbi_signal_count(x) / inner, frames = inner / step;
  if ((int64_t)outer * frames * size != mbi_signal_count(y)) return MBI_ERR_PARAMS;
  const int32_t capacity = (size + step - 1) / step * step;
  const uint32_t words = (uint32_t)outer * mb_cbuf_words(capacity);
  mb_framer_params *p = (mb_framer_params *)mbi_alloc(ctx, 1, sizeof(mb_framer_params) + 4 * words);
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  p->frame_size = size, p->frame_step = step, p->prefill = prefill;
  p->outer = outer, p->n_frames = frames, p->capacity = capacity;
  mb_framer_reset(p, (int32_t *)(void *)(p + 1));
  return MBI_OK;
}

int mbi_framer_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_framer_params *p = (mb_framer_params *)mbi_record(ctx, op->data);
  *(uint8_t *)mbi_out_data(ctx, MBI_OUT(ctx, op, 1)) = (uint8_t)mb_framer_s16(
      p, (int32_t *)(void *)(p + 1), (const int16_t *)mbi_in_data(ctx, op->in[0]),
      (int16_t *)mbi_out_data(ctx, MBI_OUT(ctx, op, 0)));
  return MBI_OK;
}
