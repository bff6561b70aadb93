/* FILTER_BANK_SPECTRAL_SUBTRACTION ("SignalFilterBankSpectralSubtraction"): its nine options
 * (TFLite Micro's Init, by position), uint32 tensors of rank 1 (its Prepare) with the sizes and
 * shifts ops/filter_bank_spectral_subtraction.py checks; the noise estimates follow the params
 * record, zeroed here as TFLite Micro's Prepare does. */
#include "mbi_signal.h"

int mbi_filter_bank_spectral_subtraction_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                                 const mbi_table *options) {
  static const char *const keys[] = {
      "alternate_one_minus_smoothing", "alternate_smoothing", "clamping",
      "min_signal_remaining", "num_channels", "one_minus_smoothing", "smoothing",
      "smoothing_bits", "spectral_subtraction_bits"};
  int32_t v[9];
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 2) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_UINT32, 1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, MBI_OUT(ctx, op, 0), MBI_TYPE_UINT32, 1);
  const mbi_tensor *noise = mbi_signal_tensor(ctx, MBI_OUT(ctx, op, 1), MBI_TYPE_UINT32, 1);
  if (!x || !y || !noise || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  int rc = mbi_signal_options(ctx, keys, 9, v);
  if (rc != MBI_OK) return rc;
  const int32_t n = v[4];
  if (v[7] < 0 || v[7] > 31 || v[8] < 0 || v[8] > 63 || n < 0 || mbi_signal_count(x) < n ||
      mbi_signal_count(y) < n || mbi_signal_count(noise) > n)
    return MBI_ERR_PARAMS;
  mb_spectral_subtraction_params *p = (mb_spectral_subtraction_params *)mbi_alloc(
      ctx, 1, sizeof(mb_spectral_subtraction_params) + 4 * (uint32_t)n);
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  p->alternate_one_minus_smoothing = v[0], p->alternate_smoothing = v[1];
  p->clamping = v[2] != 0, p->min_signal_remaining = v[3], p->num_channels = n;
  p->one_minus_smoothing = v[5], p->smoothing = v[6], p->smoothing_bits = v[7];
  p->spectral_subtraction_bits = v[8], p->noise_outputs = mbi_signal_count(noise);
  mb_spectral_subtraction_reset(p, (uint32_t *)(void *)(p + 1));
  return MBI_OK;
}

int mbi_filter_bank_spectral_subtraction_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_spectral_subtraction_params *p = (mb_spectral_subtraction_params *)mbi_record(ctx, op->data);
  mb_spectral_subtraction_u32(p, (uint32_t *)(void *)(p + 1),
                              (const uint32_t *)mbi_in_data(ctx, op->in[0]),
                              (uint32_t *)mbi_out_data(ctx, MBI_OUT(ctx, op, 0)),
                              (uint32_t *)mbi_out_data(ctx, MBI_OUT(ctx, op, 1)));
  return MBI_OK;
}
