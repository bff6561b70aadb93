/* SUB and MUL in the interpreter: the preparation both share (mbi_op_binary.c). */
#ifndef MBI_BINARY_H
#define MBI_BINARY_H

#include "mb_binary.h"
#include "mbi.h"

#define MBI_OPT_MUL 21 /* BuiltinOptions union types */
#define MBI_OPT_SUB 28

/* The operator's output type if it is one SUB and MUL run (int8, int16, float32), else 0xff. */
uint8_t mbi_binary_type(const mbi_ctx *ctx, const mbi_op *op);
/* Both inputs (activations or constants) and the output (an activation) of that type, with shapes
 * that broadcast: fills the loop nest b. */
int mbi_binary_shapes(const mbi_ctx *ctx, const mbi_op *op, uint8_t type, mb_broadcast *b);
/* Per-tensor scale and zero point of an int8 tensor, or of an int16 one (zero point 0). */
int mbi_binary_quant(mbi_ctx *ctx, int32_t t, uint8_t type, float *scale, int32_t *zero_point);
/* The fused activation as a clamp of the int8 or int16 output. */
int mbi_binary_range(uint8_t type, uint32_t fused, float scale, int32_t zero_point,
                     int32_t *act_min, int32_t *act_max);
/* The same for float32 (TFLite's CalculateActivationRange). */
int mbi_binary_range_f32(uint32_t fused, float *act_min, float *act_max);

#endif
