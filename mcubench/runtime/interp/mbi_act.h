/* What the activation operators' prepare and eval share (mbi_op_logistic.c, mbi_op_tanh.c,
 * mbi_op_relu.c, mbi_op_relu6.c, mbi_op_hard_swish.c, mbi_op_leaky_relu.c): one input and one
 * output, both int8 or both float32, of one size. int8 runs through a 256-entry table in the arena,
 * built at setup by the operator's own kernel run over all 256 input values. */
#ifndef MBI_ACT_H
#define MBI_ACT_H

#include "mb_activation.h"
#include "mbi.h"

/* The operator's tensors: *type is MBI_TYPE_INT8 or MBI_TYPE_FLOAT32. */
static inline int mbi_act_tensors(const mbi_ctx *ctx, const mbi_op *op, uint8_t *type) {
  if (op->n_in != 1 || op->n_out != 1) return MBI_ERR_PARAMS;
  *type = MBI_TYPE_INT8;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], MBI_TYPE_INT8, 0);
  if (!x) {
    *type = MBI_TYPE_FLOAT32;
    x = mbi_tensor_of(ctx, op->in[0], MBI_TYPE_FLOAT32, 0);
  }
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, *type, 0);
  if (!x || !y) return MBI_ERR_TENSOR;
  return mbi_bytes(x) == mbi_bytes(y) ? MBI_OK : MBI_ERR_PARAMS;
}

/* The start of every activation's prepare: 1 when it goes on with int8 tensors, else 0 with *rc
 * the result (MBI_OK: float32, which keeps no record here; or the tensors' error code). */
static inline int mbi_act_s8(const mbi_ctx *ctx, const mbi_op *op, int *rc) {
  uint8_t type;
  *rc = mbi_act_tensors(ctx, op, &type);
  return *rc == MBI_OK && type == MBI_TYPE_INT8;
}

/* The int8 table, taken from the arena and kept in op->data, filled with its inputs -128..127 for
 * the kernel to map in place; 0 if the arena is full. */
static inline int8_t *mbi_act_table(mbi_ctx *ctx, mbi_op *op) {
  int8_t *table = (int8_t *)mbi_alloc(ctx, 1, MBI_ACT_TABLE);
  if (!table) return 0;
  for (int32_t k = 0; k < MBI_ACT_TABLE; k++) table[k] = (int8_t)(k - 128);
  op->data = mbi_offset(ctx, table);
  return table;
}

/* The end of an int8 prepare, its params computed with result rc: the table the operator's own
 * kernel makes over the 256 inputs. (A macro: each kernel takes its own params type.) */
#define MBI_ACT_RETURN_TABLE(ctx, op, rc, kernel, params)             \
  do {                                                                \
    if ((rc) != MBI_OK) return (rc);                                  \
    int8_t *table_ = mbi_act_table(ctx, op);                          \
    if (!table_) return MBI_ERR_ARENA;                                \
    kernel(params, MBI_ACT_TABLE, table_, table_);                    \
    return MBI_OK;                                                    \
  } while (0)

/* TFLite Micro's int8 LOGISTIC/TANH prepare (kInputIntegerBits = 4); out_zp and 1/out_recip are the
 * output quantization TFLite's kernel is written for. */
static inline int mbi_sigmoid_params(mbi_ctx *ctx, const mbi_op *op, int32_t out_zp,
                                     double out_recip, mb_logistic_params *p) {
  float in_scale, out_scale;
  int32_t in_zp, zp;
  int rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &zp);
  if (rc != MBI_OK) return rc;
  const double off = (double)out_scale * out_recip - 1.0;
  if (zp != out_zp || off > 0.001 || off < -0.001) return MBI_ERR_TENSOR;
  int shift;
  const double q = mbi_frexp((double)in_scale * (double)(1 << 27), &shift);
  if (shift < 0 || shift > 31) return MBI_ERR_TENSOR;
  /* round half away: q * 2^31 has at most 24 significant bits, so + 0.5 is exact */
  p->input_multiplier = (int32_t)(int64_t)(q * 2147483648.0 + 0.5);
  p->input_left_shift = shift;
  p->input_range_radius = (int32_t)((uint32_t)(15u << 27) >> shift); /* floor(15 * 2^27 / 2^s) */
  p->input_zero_point = in_zp;
  return MBI_OK;
}

/* Elements of the output. */
static inline int32_t mbi_act_size(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_tensor *y = mbi_t(ctx, op->out);
  return (int32_t)(mbi_bytes(y) / mbi_type_bytes(y->type));
}

/* int8 eval: the table lookup. Returns 0 for a float32 operator, for the caller to run. */
static inline int mbi_act_eval_s8(const mbi_ctx *ctx, const mbi_op *op) {
  if (mbi_t(ctx, op->out)->type != MBI_TYPE_INT8) return 0;
  mb_lut_s8((const int8_t *)mbi_record(ctx, op->data), mbi_act_size(ctx, op),
            (const int8_t *)mbi_in_data(ctx, op->in[0]), (int8_t *)mbi_out_data(ctx, op->out));
  return 1;
}

/* The float32 operands of eval. */
#define MBI_ACT_F32_IO(ctx, op) \
  (const float *)mbi_in_data(ctx, (op)->in[0]), (float *)mbi_out_data(ctx, (op)->out)

#endif
