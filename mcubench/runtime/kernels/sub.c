/* int8 and int16 SUB with broadcasting (TFLite Micro's quantized SubElementwise /
 * BroadcastQuantSubSlow): both inputs shifted up by left_shift bits for headroom, rescaled to a
 * common scale, subtracted, rescaled to the output, clamped by the fused activation. */
#include <stdint.h>

#include "mb_binary.h"

static inline int32_t sub_one(const mb_sub_params *p, int32_t a, int32_t b) {
  /* |x + offset| <= 255 (int8, 20 bits up) or <= 65535 (int16, 15 bits up): fits in int32. */
  const int32_t x1 = (a + p->input1_offset) * (1 << p->left_shift);
  const int32_t x2 = (b + p->input2_offset) * (1 << p->left_shift);
  const int32_t s1 = mb_requantize(x1, p->input1.mult, p->input1.shift);
  const int32_t s2 = mb_requantize(x2, p->input2.mult, p->input2.shift);
  int32_t acc = mb_requantize(s1 - s2, p->output.mult, p->output.shift) + p->output_offset;
  acc = acc < p->act_min ? p->act_min : acc;
  return acc > p->act_max ? p->act_max : acc;
}

static void row_s8(const void *params, int32_t n, const void *in1, int32_t step1, const void *in2,
                   int32_t step2, void *out) {
  const mb_sub_params *p = (const mb_sub_params *)params;
  const int8_t *a = (const int8_t *)in1, *b = (const int8_t *)in2;
  int8_t *y = (int8_t *)out;
  if (step1 == 1 && step2 == 1) { /* equal shapes: the flat loop */
    for (int32_t i = 0; i < n; i++) y[i] = (int8_t)sub_one(p, a[i], b[i]);
    return;
  }
  for (int32_t i = 0; i < n; i++, a += step1, b += step2) y[i] = (int8_t)sub_one(p, *a, *b);
}

static void row_s16(const void *params, int32_t n, const void *in1, int32_t step1,
                    const void *in2, int32_t step2, void *out) {
  const mb_sub_params *p = (const mb_sub_params *)params;
  const int16_t *a = (const int16_t *)in1, *b = (const int16_t *)in2;
  int16_t *y = (int16_t *)out;
  if (step1 == 1 && step2 == 1) {
    for (int32_t i = 0; i < n; i++) y[i] = (int16_t)sub_one(p, a[i], b[i]);
    return;
  }
  for (int32_t i = 0; i < n; i++, a += step1, b += step2) y[i] = (int16_t)sub_one(p, *a, *b);
}

void mb_sub_s8(const mb_sub_params *p, const mb_broadcast *b, const int8_t *in1,
               const int8_t *in2, int8_t *out) {
  mb_broadcast_rows(b, 1, p, in1, in2, out, row_s8);
}

void mb_sub_s16(const mb_sub_params *p, const mb_broadcast *b, const int16_t *in1,
                const int16_t *in2, int16_t *out) {
  mb_broadcast_rows(b, 2, p, in1, in2, out, row_s16);
}
