/* FFT_AUTO_SCALE ("SignalFftAutoScale"): int16 in and out of one size, the shift as an int32
 * scalar (TFLite Micro's FftAutoScalePrepare, and equal sizes: it reads as many as it writes). */
#include "mbi_signal.h"

int mbi_fft_auto_scale_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                               const mbi_table *options) {
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 2) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_INT16, 1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, MBI_OUT(ctx, op, 0), MBI_TYPE_INT16, 1);
  const mbi_tensor *s = mbi_signal_tensor(ctx, MBI_OUT(ctx, op, 1), MBI_TYPE_INT32, 0);
  if (!x || !y || !s || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  if (mbi_signal_count(x) != mbi_signal_count(y)) return MBI_ERR_PARAMS;
  return MBI_OK; /* no options (TFLite Micro reads none) */
}

int mbi_fft_auto_scale_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const int32_t y = MBI_OUT(ctx, op, 0);
  *(int32_t *)mbi_out_data(ctx, MBI_OUT(ctx, op, 1)) =
      mb_fft_auto_scale_s16(mbi_signal_count(mbi_t(ctx, y)),
                            (const int16_t *)mbi_in_data(ctx, op->in[0]),
                            (int16_t *)mbi_out_data(ctx, y));
  return MBI_OK;
}
