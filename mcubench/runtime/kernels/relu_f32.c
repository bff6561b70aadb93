/* float32 RELU and RELU6 (TFLite Micro's ReluFloat, Relu6Float): comparisons only, so exact; a
 * NaN passes through as it does there. */
#include <stdint.h>

#include "mb_activation.h"

void mb_relu_f32(int32_t size, const float *in, float *out) {
  for (int32_t i = 0; i < size; i++) {
    const float v = in[i];
    out[i] = v < 0.0f ? 0.0f : v;
  }
}

void mb_relu6_f32(int32_t size, const float *in, float *out) {
  for (int32_t i = 0; i < size; i++) {
    const float v = in[i];
    out[i] = v > 6.0f ? 6.0f : v < 0.0f ? 0.0f : v;
  }
}
