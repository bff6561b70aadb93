/* float32 HARD_SWISH (TFLite's reference HardSwish<float>): x * min(6, max(0, x + 3)) / 6, in that
 * order and with std::min/std::max's comparisons, so exact. */
#include <stdint.h>

#include "mb_activation.h"

void mb_hard_swish_f32(int32_t size, const float *in, float *out) {
  for (int32_t i = 0; i < size; i++) {
    const float x = in[i];
    float r = x + 3.0f;
    r = 0.0f < r ? r : 0.0f; /* std::max(0, r): 0 for a NaN */
    r = r < 6.0f ? r : 6.0f; /* std::min(6, r) */
    out[i] = x * r / 6.0f;
  }
}
