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

#ifdef __cplusplus
extern "C" {
#endif

#define MB_MOVE_MAX_DIMS 6

/* Copy the elements of a `rank`-dimensional box: element (i0, .., ik) is read at
 * in + in_offset + sum(i_d * in_step[d]) and written at out + out_offset + sum(i_d * out_step[d]).
 * Offsets and steps are in bytes; input steps may be negative (a reversed STRIDED_SLICE).
 * Fixed-width fields only: the interpreter keeps this struct in its arena. */
typedef struct {
  int32_t elem_bytes; /* 1, 2, 4 or 8 */
  int32_t rank;       /* 1..MB_MOVE_MAX_DIMS; unused entries below are ignored */
  int32_t shape[MB_MOVE_MAX_DIMS];
  int32_t in_step[MB_MOVE_MAX_DIMS];
  int32_t out_step[MB_MOVE_MAX_DIMS];
  int32_t in_offset, out_offset;
} mb_copy_nd_params;

/* The box must lie inside both buffers, which must not overlap. */
void mb_copy_nd(const mb_copy_nd_params *p, const void *in, void *out);

/* `count` elements of `elem_bytes` bytes each, all set to the element at `value` (PAD's border). */
void mb_fill(int32_t count, int32_t elem_bytes, const void *value, void *out);

/* The size the interpreter's records (runtime/interp/mbi_move.h, ops/movement.py) rely on. */
typedef char mb_copy_nd_params_is_88_bytes[sizeof(mb_copy_nd_params) == 88 ? 1 : -1];

#ifdef __cplusplus
}
#endif

#endif
