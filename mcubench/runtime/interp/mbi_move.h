/* The interpreter's data movement operators (mbi_op_move.c, mbi_op_<op>.c): each prepare turns the
 * model's shapes and index operands into a list of mb_copy_nd copies (PAD: a fill first) kept in
 * one arena record, and one eval, mbi_move_eval, runs them. ops/movement.py computes the same
 * copies for the aot backend and the record's size for the arena. */
#ifndef MBI_MOVE_H
#define MBI_MOVE_H

#include "mb_movement.h"
#include "mbi.h"

/* The operator's record with room for `copies` copies (op->data points to it); 0 if full. */
mbi_move_data *mbi_move_alloc(mbi_ctx *ctx, mbi_op *op, uint32_t copies);
static inline mbi_move_copy *mbi_move_copies(mbi_move_data *d) {
  return (mbi_move_copy *)(void *)(d + 1);
}
/* Tensor t as moved data: int8, int16 or float32 of rank min_rank..max_rank; its full shape in
 * dims and its rank, or -1. An output (want_out) must be in the arena. */
int mbi_move_tensor(const mbi_ctx *ctx, int32_t t, int min_rank, int max_rank, int want_out,
                    int32_t *dims);
/* Row-major element steps of a shape. */
void mbi_move_steps(const int32_t *dims, int rank, int32_t *steps);
/* A constant int32 (or, allow64, int64) tensor's values, each inside int32: their count, or -1 if
 * the tensor is not such a constant or has more than `max` values. */
int mbi_move_ints(const mbi_ctx *ctx, int32_t t, int allow64, int32_t *values, int max);
/* Copy k of the record: the box of `rank` dims, element steps (scaled to bytes here). */
void mbi_move_set(mbi_move_copy *c, int32_t in, int32_t out, int32_t elem, int rank,
                  const int32_t *shape, const int32_t *in_step, const int32_t *out_step,
                  int32_t in_offset, int32_t out_offset);
/* First scale and zero point of tensor t; (0, 0) if it has no quantization. */
int mbi_move_quant(mbi_ctx *ctx, int32_t t, float *scale, int32_t *zero_point);

int mbi_move_eval(const mbi_ctx *ctx, const mbi_op *op);

#endif
