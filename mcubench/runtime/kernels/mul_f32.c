/* float32 MUL with broadcasting (TFLite's Mul / BroadcastMul6DSlow): the product,
 * then the activation clamp; exact. */
#include <stdint.h>

#include "mb_binary.h"

static void row_f32(const void *params, int32_t n, const void *in1, int32_t step1,
                    const void *in2, int32_t step2, void *out) {
  const mb_mul_f32_params *p = (const mb_mul_f32_params *)params;
  const float *a = (const float *)in1, *b = (const float *)in2;
  float *y = (float *)out;
  if (step1 == 1 && step2 == 1) { /* equal shapes: the flat loop */
    for (int32_t i = 0; i < n; i++) {
      float v = a[i] * b[i];
      v = v < p->act_min ? p->act_min : v;
      y[i] = v > p->act_max ? p->act_max : v;
    }
    return;
  }
  for (int32_t i = 0; i < n; i++, a += step1, b += step2) {
    float v = *a * *b;
    v = v < p->act_min ? p->act_min : v;
    y[i] = v > p->act_max ? p->act_max : v;
  }
}

void mb_mul_f32(const mb_mul_f32_params *p, const mb_broadcast *b, const float *in1,
                const float *in2, float *out) {
  mb_broadcast_rows(b, 4, p, in1, in2, out, row_f32);
}
