/* ABS, float32 (mb_abs.h): fabs without libm, the sign bit cleared. */
#include "mb_abs.h"

void mb_abs_f32(int32_t size, const float *in, float *out) {
  for (int32_t i = 0; i < size; i++) {
    union {
      float f;
      uint32_t u;
    } v = {in[i]};
    v.u &= 0x7fffffffu;
    out[i] = v.f;
  }
}
