/* ENERGY ("SignalEnergy"): options end_index, start_index (TFLite Micro's EnergyInit), int16 in
 * and uint32 out of rank 1 (EnergyPrepare), and the range inside both (ops/energy.py). */
#include "mbi_signal.h"

int mbi_energy_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  static const char *const keys[] = {"end_index", "start_index"};
  int32_t v[2];
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_INT16, 1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, MBI_TYPE_UINT32, 1);
  if (!x || !y || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  int rc = mbi_signal_options(ctx, keys, 2, v);
  if (rc != MBI_OK) return rc;
  if (v[1] < 0 || v[0] > mbi_signal_count(y) || (int64_t)2 * v[0] > mbi_signal_count(x))
    return MBI_ERR_PARAMS;
  mb_energy_params *p = (mb_energy_params *)mbi_alloc(ctx, 1, sizeof(mb_energy_params));
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  p->end = v[0], p->start = v[1];
  return MBI_OK;
}

int mbi_energy_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_energy_s16((const mb_energy_params *)mbi_record(ctx, op->data),
                (const int16_t *)mbi_in_data(ctx, op->in[0]),
                (uint32_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
