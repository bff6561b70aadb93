/* ARG_MAX and ARG_MIN of float32 tensors (mb_reduce.h), TFLite Micro's reference ArgMinMax with
 * its plain `>` (`<`) comparison: a NaN never replaces the best value so far, and a NaN in first
 * place stays (every comparison with it is false). */
#include <stdint.h>

#include "mb_reduce.h"

void mb_arg_max_f32(const mb_arg_params *p, const float *in, int32_t *out) {
  MB_ARG_LOOP(float, v > best)
}

void mb_arg_min_f32(const mb_arg_params *p, const float *in, int32_t *out) {
  MB_ARG_LOOP(float, v < best)
}
