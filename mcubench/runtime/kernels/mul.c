/* int8 and int16 MUL with broadcasting (TFLite Micro's reference_integer_ops MulElementwise /
 * BroadcastMul6DSlow): the product of the offset inputs, one requantization by
 * scale1 * scale2 / scale_out, the output offset, the fused activation's clamp. */
#include <stdint.h>

#include "mb_binary.h"

static inline int32_t mul_one(const mb_mul_params *p, int32_t a, int32_t b) {
  /* |product| <= 256 * 256 (int8) or 32768 * 32768 (int16, zero points 0): fits in int32. */
  int32_t acc = mb_requantize((a + p->input1_offset) * (b + p->input2_offset), p->output.mult,
                              p->output.shift) + p->output_offset;
  acc = acc < p->act_min ? p->act_min : acc;
  return acc > p->act_max ? p->act_max : acc;
}

static void row_s8(const void *params, int32_t n, const void *in1, int32_t step1, const void *in2,
                   int32_t step2, void *out) {
  const mb_mul_params *p = (const mb_mul_params *)params;
  const int8_t *a = (const int8_t *)in1, *b = (const int8_t *)in2;
  int8_t *y = (int8_t *)out;
  if (step1 == 1 && step2 == 1) { /* equal shapes: the flat loop */
    for (int32_t i = 0; i < n; i++) y[i] = (int8_t)mul_one(p, a[i], b[i]);
    return;
  }
  for (int32_t i = 0; i < n; i++, a += step1, b += step2) y[i] = (int8_t)mul_one(p, *a, *b);
}

static void row_s16(const void *params, int32_t n, const void *in1, int32_t step1,
                    const void *in2, int32_t step2, void *out) {
  const mb_mul_params *p = (const mb_mul_params *)params;
  const int16_t *a = (const int16_t *)in1, *b = (const int16_t *)in2;
  int16_t *y = (int16_t *)out;
  if (step1 == 1 && step2 == 1) {
    for (int32_t i = 0; i < n; i++) y[i] = (int16_t)mul_one(p, a[i], b[i]);
    return;
  }
  for (int32_t i = 0; i < n; i++, a += step1, b += step2) y[i] = (int16_t)mul_one(p, *a, *b);
}

void mb_mul_s8(const mb_mul_params *p, const mb_broadcast *b, const int8_t *in1,
               const int8_t *in2, int8_t *out) {
  mb_broadcast_rows(b, 1, p, in1, in2, out, row_s8);
}

void mb_mul_s16(const mb_mul_params *p, const mb_broadcast *b, const int16_t *in1,
                const int16_t *in2, int16_t *out) {
  mb_broadcast_rows(b, 2, p, in1, in2, out, row_s16);
}
