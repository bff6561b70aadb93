/* float32 LOGISTIC (TFLite's reference Logistic<float>): 1 above 16.619047, exp(x) below -9,
 * else 1 / (1 + exp(-x)). The exp is mb_exp_f32 (exp_f32.c), not libm's, so results are within
 * a few ulp of TFLite Micro's (opgen MAX_ULP), not exact. */
#include <stdint.h>

#include "mb_activation.h"

void mb_logistic_f32(int32_t size, const float *in, float *out) {
  for (int32_t i = 0; i < size; i++) {
    const float x = in[i];
    out[i] = x > 16.619047164916992188f ? 1.0f
             : x < -9.0f                ? mb_exp_f32(x)
                                        : 1.0f / (1.0f + mb_exp_f32(-x));
  }
}
