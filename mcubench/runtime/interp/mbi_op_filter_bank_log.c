/* FILTER_BANK_LOG ("SignalFilterBankLog"): options input_correction_bits (0..31) and
 * output_scale (TFLite Micro's FilterBankLogInit), uint32 in, int16 out, rank 1. */
#include "mbi_signal.h"

int mbi_filter_bank_log_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                const mbi_table *options) {
  static const char *const keys[] = {"input_correction_bits", "output_scale"};
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_UINT32, 1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, MBI_TYPE_INT16, 1);
  if (!x || !y || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  mb_filter_bank_log_params *p =
      (mb_filter_bank_log_params *)mbi_alloc(ctx, 1, sizeof(mb_filter_bank_log_params));
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  int rc = mbi_signal_options(ctx, keys, 2, &p->correction_bits);
  if (rc != MBI_OK) return rc;
  p->size = mbi_signal_count(x);
  if (p->correction_bits < 0 || p->correction_bits > 31 || mbi_signal_count(y) < p->size)
    return MBI_ERR_PARAMS;
  return MBI_OK;
}

int mbi_filter_bank_log_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_filter_bank_log_u32((const mb_filter_bank_log_params *)mbi_record(ctx, op->data),
                         (const uint32_t *)mbi_in_data(ctx, op->in[0]),
                         (int16_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
