/* SUM and MEAN of float32 tensors (mb_reduce.h): per output, the inputs added in float in memory
 * order from 0 (in + sum, as TFLite Micro's ReduceGeneric and Mean), MEAN then divided by the
 * count converted to float. TFLite Micro adds and divides in exactly this order (its 4-D H/W mean
 * too), so results are bit-exact. */
#include <stdint.h>

#include "mb_reduce.h"

void mb_reduce_sum_f32(const mb_reduce_params *p, const float *in, float *out) {
  MB_REDUCE_LOOP(p, float, float, 0.0f, acc = v + acc, out[k] = acc)
}

void mb_reduce_mean_f32(const mb_reduce_params *p, const float *in, float *out) {
  const float count = (float)p->count;
  MB_REDUCE_LOOP(p, float, float, 0.0f, acc = v + acc, out[k] = acc / count)
}
