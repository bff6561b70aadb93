/* FILTER_BANK ("SignalFilterBank"): option num_channels (TFLite Micro's FilterBankInit), the
 * tensors FilterBankPrepare checks, and every bin and weight the constant index tables address
 * inside its tensor (ops/filter_bank.py). */
#include "mbi_signal.h"

int mbi_filter_bank_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                            const mbi_table *options) {
  static const char *const keys[] = {"num_channels"};
  (void)options_type, (void)options;
  if (op->n_in != 6 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, MBI_IN(ctx, op, 0), MBI_TYPE_UINT32, 1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, MBI_TYPE_UINT64, 1);
  const mbi_tensor *t[5];
  for (uint32_t k = 0; k < 5; k++) {
    t[k] = mbi_signal_tensor(ctx, MBI_IN(ctx, op, k + 1), MBI_TYPE_INT16, 1);
    if (!t[k] || (k >= 2 && !(t[k]->flags & MBI_T_CONST))) return MBI_ERR_TENSOR;
  }
  if (!x || !y || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  mb_filter_bank_params *p =
      (mb_filter_bank_params *)mbi_alloc(ctx, 1, sizeof(mb_filter_bank_params));
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  int rc = mbi_signal_options(ctx, keys, 1, &p->num_channels);
  if (rc != MBI_OK) return rc;
  const int32_t n = p->num_channels;
  p->outputs = mbi_signal_count(y);
  if (n < 0 || p->outputs > n) return MBI_ERR_PARAMS;
  for (uint32_t k = 2; k < 5; k++)
    if (mbi_signal_count(t[k]) < n + 1) return MBI_ERR_PARAMS;
  const int16_t *freq = (const int16_t *)mbi_in_data(ctx, MBI_IN(ctx, op, 3));
  const int16_t *wstart = (const int16_t *)mbi_in_data(ctx, MBI_IN(ctx, op, 4));
  const int16_t *width = (const int16_t *)mbi_in_data(ctx, MBI_IN(ctx, op, 5));
  for (int32_t c = 0; c <= n; c++) {
    if (width[c] <= 0) continue;
    if (freq[c] < 0 || freq[c] + width[c] > mbi_signal_count(x) || wstart[c] < 0 ||
        wstart[c] + width[c] > mbi_signal_count(t[0]) ||
        wstart[c] + width[c] > mbi_signal_count(t[1]))
      return MBI_ERR_PARAMS;
  }
  return MBI_OK;
}

int mbi_filter_bank_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const int16_t *t[5];
  for (uint32_t k = 0; k < 5; k++) t[k] = (const int16_t *)mbi_in_data(ctx, MBI_IN(ctx, op, k + 1));
  mb_filter_bank_u32((const mb_filter_bank_params *)mbi_record(ctx, op->data),
                     (const uint32_t *)mbi_in_data(ctx, MBI_IN(ctx, op, 0)), t[0], t[1], t[2],
                     t[3], t[4], (uint64_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
