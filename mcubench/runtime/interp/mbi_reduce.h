/* MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_ALL in the interpreter, and the one-axis operators
 * ARG_MAX, ARG_MIN and CUMSUM: the setup they share (mbi_reduce.c). */
#ifndef MBI_REDUCE_H
#define MBI_REDUCE_H

#include "mb_reduce.h"
#include "mbi.h"

#define MBI_OPT_REDUCER 27 /* BuiltinOptions: ReducerOptions */

/* Checks the operands (an activation of `type` and rank 1..6, a constant int32 axis tensor with at
 * least one valid axis, an output of `type` holding the reduction) and allocates the operator's
 * mb_reduce_params with its loops and count (mcubench/ops/common/reduce.py's reduce_loops). */
int mbi_reduce_setup(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, uint8_t type,
                     mb_reduce_params **params);
/* The input type of a reduction if it is one of `types` (a list of n), else 0xff. */
uint8_t mbi_reduce_type(const mbi_ctx *ctx, const mbi_op *op, const uint8_t *types, int n);
/* MBI_OK if tensors a and b have the same scale and zero point (REDUCE_MAX/MIN of int8). */
int mbi_reduce_same_quant(mbi_ctx *ctx, int32_t a, int32_t b);

/* Operand k of op, a constant int32 tensor of one value, as an axis of tensor t (negative ones
 * counted from the end): t's extents before it (outer), along it (extent) and after it (inner). */
int mbi_axis_split(const mbi_ctx *ctx, const mbi_op *op, uint32_t k, int32_t t, int32_t *outer,
                   int32_t *extent, int32_t *inner);
/* ARG_MAX / ARG_MIN: an int8 or float32 activation of rank 1..6, the axis, an int32 output of
 * the input's size without the axis; allocates the operator's mb_arg_params. */
int mbi_arg_prepare(mbi_ctx *ctx, mbi_op *op);

#endif
