/* float32 TANH (TFLite's reference Tanh: std::tanh per element), without libm: Cephes' tanhf.
 * For |x| >= 0.625, 1 - 2 / (exp(2|x|) + 1) with mb_exp_f32 (no cancellation there); below, an odd
 * polynomial x + x^3 P(x^2), which stays accurate as x goes to 0; beyond |x| = 44 the result is
 * +-1 in float. Within a few ulp of libm's tanhf (opgen MAX_ULP), not exact. */
#include <stdint.h>

#include "mb_activation.h"

void mb_tanh_f32(int32_t size, const float *in, float *out) {
  for (int32_t i = 0; i < size; i++) {
    const float x = in[i];
    const float z = x < 0.0f ? -x : x;
    float t;
    if (!(z < 0.625f)) { /* also NaN, which stays NaN */
      t = z > 44.0f ? 1.0f : 1.0f - 2.0f / (mb_exp_f32(z + z) + 1.0f);
      t = x < 0.0f ? -t : t;
    } else if (x == 0.0f) {
      t = x; /* keeps the sign of zero */
    } else {
      const float s = x * x;
      t = ((((-5.70498872745e-3f * s + 2.06390887954e-2f) * s - 5.37397155531e-2f) * s +
            1.33314422036e-1f) * s - 3.33332819422e-1f) * s * x + x;
    }
    out[i] = t;
  }
}
