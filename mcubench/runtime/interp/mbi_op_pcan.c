/* PCAN ("SignalPCAN"): option snr_shift (0..63), uint32 input and noise estimate, an int16 gain
 * table of 125 entries or more, uint32 output of the input's size (TFLite Micro's PcanPrepare and
 * ops/pcan.py). */
#include "mbi_signal.h"

int mbi_pcan_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  static const char *const keys[] = {"snr_shift"};
  (void)options_type, (void)options;
  if (op->n_in != 3 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_UINT32, 1);
  const mbi_tensor *noise = mbi_signal_tensor(ctx, op->in[1], MBI_TYPE_UINT32, 1);
  const mbi_tensor *lut = mbi_signal_tensor(ctx, op->in[2], MBI_TYPE_INT16, 1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, MBI_TYPE_UINT32, 1);
  if (!x || !noise || !lut || !y || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  mb_pcan_params *p = (mb_pcan_params *)mbi_alloc(ctx, 1, sizeof(mb_pcan_params));
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  int rc = mbi_signal_options(ctx, keys, 1, &p->snr_shift);
  if (rc != MBI_OK) return rc;
  p->size = mbi_signal_count(x);
  if (p->snr_shift < 0 || p->snr_shift > 63 || mbi_signal_count(lut) < 125 ||
      mbi_signal_count(y) != p->size || mbi_signal_count(noise) < p->size)
    return MBI_ERR_PARAMS;
  return MBI_OK;
}

int mbi_pcan_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_pcan_u32((const mb_pcan_params *)mbi_record(ctx, op->data),
              (const uint32_t *)mbi_in_data(ctx, op->in[0]),
              (const uint32_t *)mbi_in_data(ctx, op->in[1]),
              (const int16_t *)mbi_in_data(ctx, op->in[2]), (uint32_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
