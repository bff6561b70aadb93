/* L2_NORMALIZATION kernels (runtime/kernels/l2_normalization.c, l2_normalization_f32.c) over the
 * last axis, rows x depth: int8 bit-exact with TFLite Micro's integer L2Normalization (outputs in
 * 1/128 steps, zero point 0), float32 exact (x / max(sqrt(sum of squares), 1e-6)). */
#ifndef MB_L2_NORMALIZATION_H
#define MB_L2_NORMALIZATION_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

void mb_l2_normalization_s8(const mb_l2_normalization_params *p, const int8_t *in, int8_t *out);
void mb_l2_normalization_f32(const mb_l2_normalization_params *p, const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif
