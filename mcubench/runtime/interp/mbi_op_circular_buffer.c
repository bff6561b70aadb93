/* CIRCULAR_BUFFER ("CIRCULAR_BUFFER"): option cycles_max (or TFLite Micro's guess from the
 * output's shape), int8 [1, 1, h, w] in, a variable int8 [1, slots, h, w] out (TFLite Micro's
 * CircularBufferPrepare and ops/circular_buffer.py); the countdown and the slots follow the
 * params record, reset to the output's zero point. Eval returns MBI_STOP until the period comes. */
#include "mbi_signal.h"

static int is_variable(const mbi_ctx *ctx, int32_t t) {
  mbi_fb fb = ctx->fb; /* a copy: the table was read at setup already */
  mbi_table table;
  mbi_fb_vec_table(&fb, &ctx->fb_tensors, (uint32_t)t, &table);
  const uint32_t v = mbi_fb_uint(&fb, &table, 5, 1, 0); /* Tensor.is_variable */
  return !fb.err && v != 0;
}

int mbi_circular_buffer_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                const mbi_table *options) {
  static const char *const keys[] = {"cycles_max"};
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], cycles = 0, zp = 0;
  float scale;
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 1) return MBI_ERR_PARAMS;
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], MBI_TYPE_INT8, 4);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, MBI_TYPE_INT8, 4);
  if (!x || !y || (x->flags & MBI_T_CONST) || !is_variable(ctx, op->out)) return MBI_ERR_TENSOR;
  mbi_shape(ctx, op->in[0], xd);
  mbi_shape(ctx, op->out, yd);
  if (xd[0] != 1 || yd[0] != 1 || xd[1] != 1 || xd[2] != yd[2] || xd[3] != yd[3])
    return MBI_ERR_PARAMS;
  if (ctx->custom.len > 0) {
    int rc = mbi_signal_options(ctx, keys, 1, &cycles);
    if (rc != MBI_OK) return rc;
  }
  const int32_t slots = yd[1], depth = yd[2] * yd[3];
  if (cycles <= 0) { /* TFLite Micro's guess from the shape */
    if (slots != 5 && slots != 13 && slots != 25 && yd[2] == 2 && yd[3] == 96)
      return MBI_ERR_PARAMS; /* it would depend on a process-wide count */
    cycles = slots == 5 || slots == 13 || slots == 25 ? 1 : 2;
  }
  if (mbi_quant(ctx, op->out, &scale, &zp) != MBI_OK) zp = 0;
  const uint32_t words = 1 + ((uint32_t)(slots * depth) + 3) / 4;
  mb_circular_buffer_params *p = (mb_circular_buffer_params *)mbi_alloc(
      ctx, 1, sizeof(mb_circular_buffer_params) + 4 * words);
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  p->slots = slots, p->depth = depth, p->cycles_max = cycles, p->zero_point = zp;
  mb_circular_buffer_reset(p, (int32_t *)(void *)(p + 1));
  return MBI_OK;
}

int mbi_circular_buffer_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_circular_buffer_params *p = (mb_circular_buffer_params *)mbi_record(ctx, op->data);
  const int ran = mb_circular_buffer_s8(p, (int32_t *)(void *)(p + 1),
                                        (const int8_t *)mbi_in_data(ctx, op->in[0]),
                                        (int8_t *)mbi_out_data(ctx, op->out));
  return ran ? MBI_OK : MBI_STOP;
}
