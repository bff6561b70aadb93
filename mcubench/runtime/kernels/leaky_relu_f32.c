/* float32 LEAKY_RELU (TFLite's reference LeakyRelu): x > 0 ? x : x * alpha; exact. */
#include <stdint.h>

#include "mb_activation.h"

void mb_leaky_relu_f32(const mb_leaky_relu_f32_params *p, int32_t size, const float *in,
                       float *out) {
  for (int32_t i = 0; i < size; i++) {
    const float v = in[i];
    out[i] = v > 0.0f ? v : v * p->alpha;
  }
}
