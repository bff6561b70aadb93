/* Data movement kernels (runtime/kernels/copy_nd.c): TRANSPOSE, STRIDED_SLICE, SPLIT, SPLIT_V,
 * PACK, UNPACK, CONCATENATION and PAD only move elements, so one byte-generic strided copy serves
 * them all and every element type (int8, int16, float32: the bytes are copied unchanged, as TFLite
 * Micro does). Each operator is a few copies, prepared offline (aot) or at setup (interp):
 * TRANSPOSE permutes the input steps, STRIDED_SLICE scales and offsets them, SPLIT/UNPACK copy one
 * block of the input per output, CONCATENATION/PACK one input per block of the output, and PAD
 * fills the output and copies the input into its middle.
 */
#ifndef MB_MOVEMENT_H
#define MB_MOVEMENT_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

/* The box must lie inside both buffers, which must not overlap. */
void mb_copy_nd(const mb_copy_nd_params *p, const void *in, void *out);

/* `count` elements of `elem_bytes` bytes each, all set to the element at `value` (PAD's border). */
void mb_fill(int32_t count, int32_t elem_bytes, const void *value, void *out);

#ifdef __cplusplus
}
#endif

#endif
