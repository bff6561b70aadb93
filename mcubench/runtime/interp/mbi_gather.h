/* GATHER, GATHER_ND and EMBEDDING_LOOKUP in the interpreter: what their setup shares
 * (mbi_gather.c). */
#ifndef MBI_GATHER_H
#define MBI_GATHER_H

#include "mb_gather.h"
#include "mbi.h"

/* Tensor t if it is usable, a constant or an activation, of one of TFLite Micro's gather types
 * (int8, float32) or, with want_int32, int32; else 0. Its full shape into dims (rank
 * into *rank). */
const mbi_tensor *mbi_gather_operand(const mbi_ctx *ctx, int32_t t, int want_int32,
                                     int32_t *dims, int *rank);
/* The output if it is an activation of `type` with `elements` elements, else 0. */
const mbi_tensor *mbi_gather_output(const mbi_ctx *ctx, const mbi_op *op, uint8_t type,
                                    uint32_t elements);

#endif
