/* MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_ALL in the interpreter, the one-axis operators
 * ARG_MAX, ARG_MIN and CUMSUM, and the last-axis ones LOG_SOFTMAX and L2_NORMALIZATION: the setup
 * they share (mbi_reduce.c). */
#ifndef MBI_REDUCE_H
#define MBI_REDUCE_H

#include "mb_reduce.h"
#include "mbi.h"

#define MBI_OPT_REDUCER 27 /* BuiltinOptions: ReducerOptions */

/* Checks the operands (an activation of one of the n `types` and rank 1..6, a constant int32 axis
 * tensor with at least one valid axis, an output of its type holding the reduction) and allocates
 * the operator's mb_reduce_params with its loops and count (mcubench/ops/common/reduce.py's
 * reduce_loops). */
int mbi_reduce_setup(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const uint8_t *types, int n,
                     mb_reduce_params **params);
/* The input type of an operator if it is one of the n `types`, else 0xff. */
uint8_t mbi_reduce_type(const mbi_ctx *ctx, const mbi_op *op, const uint8_t *types, int n);
/* LOG_SOFTMAX, L2_NORMALIZATION: one int8 or float32 activation of rank 1..max_rank and an output
 * of its type and size; its rows and depth (the last axis). */
int mbi_rows_setup(const mbi_ctx *ctx, const mbi_op *op, int max_rank, int32_t *rows,
                   int32_t *depth);

/* Operand k of op, a constant int32 tensor of one value, as an axis of tensor t (negative ones
 * counted from the end): t's extents before it (outer), along it (extent) and after it (inner). */
int mbi_axis_split(const mbi_ctx *ctx, const mbi_op *op, uint32_t k, int32_t t, int32_t *outer,
                   int32_t *extent, int32_t *inner);

#endif
