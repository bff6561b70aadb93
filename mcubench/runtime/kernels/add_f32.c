/* float32 element-wise add (TFLite reference_ops::Add, float): the sum, then the activation
 * clamp. */
#include <stdint.h>

#include "mb_kernels_f32.h"

void mb_add_f32(const mb_add_f32_params *p, int32_t size, const float *in1, const float *in2,
                float *out) {
  for (int32_t i = 0; i < size; i++) {
    float v = in1[i] + in2[i];
    v = v < p->act_min ? p->act_min : v;
    v = v > p->act_max ? p->act_max : v;
    out[i] = v;
  }
}
