/* CUMSUM kernels (runtime/kernels/cumsum.c, cumsum_f32.c) along one axis of a tensor seen as
 * outer x extent x inner, exclusive and/or reverse: TFLite Micro's reference CumSum, bit-exact
 * (int8: its quantized path, accumulator start included; float32: the same additions in order). */
#ifndef MB_CUMSUM_H
#define MB_CUMSUM_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

void mb_cumsum_s8(const mb_cumsum_params *p, const int8_t *in, int8_t *out);
void mb_cumsum_f32(const mb_cumsum_params *p, const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif
