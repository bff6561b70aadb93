/* WINDOW ("SignalWindow"): the options and shapes TFLite Micro's WindowInit/WindowPrepare read,
 * with the checks ops/window.py makes (whole windows, equal sizes, a shift of 0..31). */
#include "mbi_signal.h"

int mbi_window_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  static const char *const keys[] = {"shift"};
  (void)options_type, (void)options;
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_INT16, -1);
  const mbi_tensor *w = mbi_signal_tensor(ctx, op->in[1], MBI_TYPE_INT16, 1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, MBI_TYPE_INT16, x ? x->rank : 0);
  if (!x || !w || !y || x->rank < 1 || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  mb_window_params *p = (mb_window_params *)mbi_alloc(ctx, 1, sizeof(mb_window_params));
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  int rc = mbi_signal_options(ctx, keys, 1, &p->shift);
  if (rc != MBI_OK) return rc;
  p->size = mbi_signal_count(w);
  p->count = mbi_signal_count(x);
  if (p->shift < 0 || p->shift > 31 || p->size == 0 || p->count % p->size != 0 ||
      mbi_signal_count(y) != p->count)
    return MBI_ERR_PARAMS;
  return MBI_OK;
}

int mbi_window_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_window_s16((const mb_window_params *)mbi_record(ctx, op->data),
                (const int16_t *)mbi_in_data(ctx, op->in[0]),
                (const int16_t *)mbi_in_data(ctx, op->in[1]),
                (int16_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
