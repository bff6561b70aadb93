/* LOG_SOFTMAX kernels (runtime/kernels/log_softmax.c, log_softmax_f32.c) over the last axis, rows
 * x depth: int8 bit-exact with TFLite Micro's quantized LogSoftmax (output scale 16/256, zero
 * point 127); float32 as its float LogSoftmax (x - max - log(sum(exp(x - max)))). */
#ifndef MB_LOG_SOFTMAX_H
#define MB_LOG_SOFTMAX_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

void mb_log_softmax_s8(const mb_log_softmax_params *p, const int8_t *in, int8_t *out);
void mb_log_softmax_f32(const mb_log_softmax_params *p, const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif
