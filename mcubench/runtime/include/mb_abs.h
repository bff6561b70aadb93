/* ABS kernels (runtime/kernels/abs.c), element by element over `size` values (any shape):
 * TFLite Micro's elementwise ABS, bit-exact. The params struct is generated (mb_params.h). */
#ifndef MB_ABS_H
#define MB_ABS_H

#include <stdint.h>

#include "mb_params.h"

#ifdef __cplusplus
extern "C" {
#endif

void mb_abs_s8(const mb_abs_params *p, int32_t size, const int8_t *in, int8_t *out);
void mb_abs_s16(const mb_abs_params *p, int32_t size, const int16_t *in, int16_t *out);
/* fabs: the sign bit cleared (-0.0 gives +0.0, a NaN stays a NaN). in == out is allowed. */
void mb_abs_f32(int32_t size, const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif
