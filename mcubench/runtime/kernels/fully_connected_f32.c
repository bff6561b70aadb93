/* float32 fully connected (TFLite reference_ops::FullyConnected, float): filter out_units x
 * in_features; the sum over in_features in float, plus the bias, then the activation clamp. */
#include <stdint.h>

#include "mb_kernels_f32.h"

void mb_fully_connected_f32(const mb_fully_connected_f32_params *p, int32_t batches,
                            int32_t in_features, const float *in, int32_t out_units,
                            const float *filter, const float *bias, float *out) {
  for (int32_t b = 0; b < batches; b++) {
    const float *x = in + b * in_features;
    for (int32_t u = 0; u < out_units; u++) {
      const float *w = filter + u * in_features;
      float total = 0.0f;
      for (int32_t d = 0; d < in_features; d++) total += x[d] * w[d];
      float v = total + (bias ? bias[u] : 0.0f);
      v = v < p->act_min ? p->act_min : v;
      v = v > p->act_max ? p->act_max : v;
      out[b * out_units + u] = v;
    }
  }
}
