/* IRFFT ("SignalIrfft"): options T and fft_length, kiss_fft's tables computed at setup
 * (mbi_fft.c). */
#include "mbi_signal.h"

int mbi_irfft_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  (void)options_type, (void)options;
  return mbi_fft_prepare(ctx, op, 1);
}

int mbi_irfft_eval(const mbi_ctx *ctx, const mbi_op *op) { return mbi_fft_eval(ctx, op); }
