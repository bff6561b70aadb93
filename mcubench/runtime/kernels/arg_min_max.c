/* ARG_MAX and ARG_MIN of int8 tensors (mb_reduce.h), TFLite Micro's reference ArgMinMax: per
 * (outer, inner) position, the index along the axis of the first value strictly greater (less)
 * than every one before it. The raw values are compared: the quantization is monotonic. */
#include <stdint.h>

#include "mb_reduce.h"

void mb_arg_max_s8(const mb_arg_params *p, const int8_t *in, int32_t *out) {
  MB_ARG_LOOP(int8_t, v > best)
}

void mb_arg_min_s8(const mb_arg_params *p, const int8_t *in, int32_t *out) {
  MB_ARG_LOOP(int8_t, v < best)
}
