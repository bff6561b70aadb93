/* FILTER_BANK_SQUARE_ROOT ("SignalFilterBankSquareRoot"): uint64 in, a scalar int32 shift,
 * uint32 out with room for every channel (TFLite Micro's FilterBankSquareRootPrepare). */
#include "mbi_signal.h"

int mbi_filter_bank_square_root_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                        const mbi_table *options) {
  (void)options_type, (void)options;
  if (op->n_in != 2 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_UINT64, 1);
  const mbi_tensor *s = mbi_signal_tensor(ctx, op->in[1], MBI_TYPE_INT32, 0);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, MBI_TYPE_UINT32, 1);
  if (!x || !s || !y || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  return mbi_signal_count(y) >= mbi_signal_count(x) ? MBI_OK : MBI_ERR_PARAMS;
}

int mbi_filter_bank_square_root_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_filter_bank_square_root_u64(mbi_signal_count(mbi_t(ctx, op->in[0])),
                                 (const uint64_t *)mbi_in_data(ctx, op->in[0]),
                                 *(const int32_t *)mbi_in_data(ctx, op->in[1]),
                                 (uint32_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
