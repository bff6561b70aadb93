/* REDUCE_MAX and REDUCE_MIN of int8 and float32 tensors (mb_reduce.h), TFLite Micro's
 * ReduceGeneric: each output starts at the type's lowest (max) or highest (min) value and takes an
 * input when it is strictly greater (less), in memory order. So a NaN is never taken, of +0 and -0
 * the first one stays, and a float row of only -inf (max) gives -FLT_MAX as TFLite Micro's does.
 * int8 works on the raw values: input and output share their quantization. */
#include <stdint.h>

#include "mb_reduce.h"

#define MB_FLT_MAX 3.40282347e+38f /* <float.h>'s FLT_MAX, TFLite's lowest()/max() */

void mb_reduce_max_s8(const mb_reduce_params *p, const int8_t *in, int8_t *out) {
  MB_REDUCE_LOOP(p, int8_t, int8_t, INT8_MIN, acc = v > acc ? v : acc, out[k] = acc)
}

void mb_reduce_min_s8(const mb_reduce_params *p, const int8_t *in, int8_t *out) {
  MB_REDUCE_LOOP(p, int8_t, int8_t, INT8_MAX, acc = v < acc ? v : acc, out[k] = acc)
}

void mb_reduce_max_f32(const mb_reduce_params *p, const float *in, float *out) {
  MB_REDUCE_LOOP(p, float, float, -MB_FLT_MAX, acc = v > acc ? v : acc, out[k] = acc)
}

void mb_reduce_min_f32(const mb_reduce_params *p, const float *in, float *out) {
  MB_REDUCE_LOOP(p, float, float, MB_FLT_MAX, acc = v < acc ? v : acc, out[k] = acc)
}
