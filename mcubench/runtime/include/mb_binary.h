/* Binary element-wise operators with broadcasting (SUB, MUL): int8, int16 and float32 kernels.
 *
 * Broadcasting follows TFLite: shapes of different rank are aligned on the right, a dimension of 1
 * repeats along the other operand's. The shapes are reduced once (offline in the aot backend, at
 * setup in the interpreter, both with mb_broadcast_init) to at most MB_BROADCAST_DIMS loops with
 * per-input strides (0 where the input repeats); adjacent dimensions that walk both inputs
 * contiguously merge, so equal shapes become one flat loop. The arithmetic per element is TFLite
 * Micro's reference kernels' (sub.h, integer_ops/mul.h), bit-exact for int8 and int16, exact for
 * float32.
 */
#ifndef MB_BINARY_H
#define MB_BINARY_H

#include <stdint.h>

#include "mb_kernels.h" /* mb_requant, mb_requantize */

#ifdef __cplusplus
extern "C" {
#endif


/* Fills b for inputs of shapes shape1 (rank1 dims) and shape2 broadcast to out_shape; rank 0 is a
 * scalar. 0 on success, -1 if the shapes do not broadcast to out_shape or a rank exceeds
 * MB_BROADCAST_DIMS. */
int mb_broadcast_init(mb_broadcast *b, int32_t rank1, const int32_t *shape1, int32_t rank2,
                      const int32_t *shape2, int32_t out_rank, const int32_t *out_shape);

/* One innermost row: n outputs from inputs advancing step1/step2 elements per output. */
typedef void (*mb_binary_row)(const void *params, int32_t n, const void *in1, int32_t step1,
                              const void *in2, int32_t step2, void *out);

/* Runs `row` over every innermost row of b (elements of elem_bytes bytes). */
void mb_broadcast_rows(const mb_broadcast *b, int32_t elem_bytes, const void *params,
                       const void *in1, const void *in2, void *out, mb_binary_row row);

void mb_sub_s8(const mb_sub_params *p, const mb_broadcast *b, const int8_t *in1,
               const int8_t *in2, int8_t *out);
void mb_sub_s16(const mb_sub_params *p, const mb_broadcast *b, const int16_t *in1,
                const int16_t *in2, int16_t *out);
void mb_sub_f32(const mb_sub_f32_params *p, const mb_broadcast *b, const float *in1,
                const float *in2, float *out);

void mb_mul_s8(const mb_mul_params *p, const mb_broadcast *b, const int8_t *in1,
               const int8_t *in2, int8_t *out);
void mb_mul_s16(const mb_mul_params *p, const mb_broadcast *b, const int16_t *in1,
                const int16_t *in2, int16_t *out);
void mb_mul_f32(const mb_mul_f32_params *p, const mb_broadcast *b, const float *in1,
                const float *in2, float *out);

#ifdef __cplusplus
}
#endif
#endif
