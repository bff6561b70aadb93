/* PAD (ranks 1..5, TFLite Micro's limit) with constant int32 or int64 paddings: the output is
 * filled with the pad value, then the input copied into its middle. The pad value is TFLite
 * Micro's: the constant_values input if there is one, else the int8 output's zero point, 0 for
 * int16 and 0.0 for float32. */
#include "mbi_move.h"

#define OPT_PAD 22 /* BuiltinOptions: PadOptions */

int mbi_pad_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  int32_t xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], xs[MBI_MAX_DIMS], ys[MBI_MAX_DIMS];
  int32_t pads[2 * MBI_MAX_DIMS];
  (void)options; /* PadOptions has no fields */
  if (op->n_in < 2 || op->n_in > 3 || op->n_out != 1 || (options_type != OPT_PAD && options_type))
    return MBI_ERR_PARAMS;
  const int r = mbi_move_tensor(ctx, op->in[0], 1, 5, 0, xd);
  const uint8_t type = mbi_t(ctx, op->out)->type;
  if (r < 0 || mbi_move_tensor(ctx, op->out, 1, 5, 1, yd) != r ||
      mbi_t(ctx, op->in[0])->type != type)
    return MBI_ERR_TENSOR;
  if (mbi_move_ints(ctx, op->in[1], 1, pads, 2 * MBI_MAX_DIMS) != 2 * r) return MBI_ERR_PARAMS;
  int32_t out_offset = 0;
  mbi_move_steps(yd, r, ys);
  for (int a = 0; a < r; a++) {
    if (pads[2 * a] < 0 || pads[2 * a + 1] < 0 ||
        (int64_t)xd[a] + pads[2 * a] + pads[2 * a + 1] != yd[a])
      return MBI_ERR_PARAMS;
    out_offset += pads[2 * a] * ys[a];
  }

  mbi_move_data *d = mbi_move_alloc(ctx, op, 1);
  if (!d) return MBI_ERR_ARENA;
  const uint32_t elem = mbi_type_bytes(type);
  d->fill = 1;
  const int32_t values = op->n_in == 3 ? op->in[2] : -1;
  if (values >= 0) { /* one constant element of the output's type, int8 quantized as the output */
    const mbi_tensor *v = mbi_t(ctx, values);
    if (!(v->flags & MBI_T_CONST) || (v->flags & MBI_T_BAD) || v->type != type ||
        mbi_bytes(v) != elem)
      return MBI_ERR_PARAMS;
    if (type == MBI_TYPE_INT8) {
      float s1, s2;
      int32_t z1, z2;
      int rc = mbi_move_quant(ctx, values, &s1, &z1);
      if (rc == MBI_OK) rc = mbi_move_quant(ctx, op->out, &s2, &z2);
      if (rc != MBI_OK) return rc;
      if (s1 != s2 || z1 != z2 || s1 == 0.0f) return MBI_ERR_PARAMS;
    }
    const uint8_t *bytes = (const uint8_t *)mbi_in_data(ctx, values);
    for (uint32_t b = 0; b < elem; b++) d->value[b] = bytes[b];
  } else if (type == MBI_TYPE_INT8) {
    float scale;
    int32_t zp;
    int rc = mbi_move_quant(ctx, op->out, &scale, &zp);
    if (rc != MBI_OK) return rc;
    if (zp < -128 || zp > 127) return MBI_ERR_TENSOR;
    d->value[0] = (uint8_t)(int8_t)zp;
  } /* int16: 0, float32: 0.0f (the record is zeroed) */
  mbi_move_steps(xd, r, xs);
  mbi_move_set(mbi_move_copies(d), op->in[0], op->out, (int32_t)elem, r, xd, xs, ys, 0,
               out_offset);
  return MBI_OK;
}
