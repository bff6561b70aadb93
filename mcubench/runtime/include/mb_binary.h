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

#define MB_BROADCAST_DIMS 6 /* the interpreter's tensor rank limit */

/* The iteration of one binary operator: loops outermost first; the output is contiguous. Fixed-width
 * fields only, so the interpreter keeps it in its arena as it is. */
typedef struct {
  int32_t rank;                       /* loops, 1..MB_BROADCAST_DIMS */
  int32_t shape[MB_BROADCAST_DIMS];   /* output extent of each loop */
  int32_t stride1[MB_BROADCAST_DIMS]; /* input 1's step in elements per loop step; 0: repeats */
  int32_t stride2[MB_BROADCAST_DIMS];
} mb_broadcast;

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

/* SUB, int8 and int16 (TFLite's general quantized path): both inputs shifted up by left_shift (20
 * for int8, 15 for int16), rescaled to a common scale, subtracted, rescaled to the output. */
typedef struct {
  int32_t input1_offset, input2_offset, output_offset; /* -zero points, output zero point */
  int32_t left_shift;
  mb_requant input1, input2, output;
  int32_t act_min, act_max;
} mb_sub_params;

/* MUL, int8 and int16: (x1 + offset1) * (x2 + offset2), one requantization to the output. */
typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  mb_requant output;
  int32_t act_min, act_max;
} mb_mul_params;

/* float32: the fused activation as a clamp ([-FLT_MAX, FLT_MAX] for none, as TFLite). */
typedef struct {
  float act_min, act_max;
} mb_sub_f32_params;

typedef struct {
  float act_min, act_max;
} mb_mul_f32_params;

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
