/* int8 element-wise add (TFLite Micro AddElementwise semantics): both inputs are shifted up by
 * left_shift bits for headroom, rescaled to a common scale, summed, then rescaled to the output. */
#include <stdint.h>

#include "mb_kernels.h"

void mb_add_s8(const mb_add_params *p, int32_t size, const int8_t *in1, const int8_t *in2,
               int8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    /* |x + offset| <= 255, so the 20-bit shift stays inside int32. */
    const int32_t x1 = ((int32_t)in1[i] + p->input1_offset) * (1 << p->left_shift);
    const int32_t x2 = ((int32_t)in2[i] + p->input2_offset) * (1 << p->left_shift);
    const int32_t s1 = mb_requantize(x1, p->input1.mult, p->input1.shift);
    const int32_t s2 = mb_requantize(x2, p->input2.mult, p->input2.shift);
    int32_t acc = mb_requantize(s1 + s2, p->output.mult, p->output.shift) + p->output_offset;
    acc = acc < p->act_min ? p->act_min : acc;
    acc = acc > p->act_max ? p->act_max : acc;
    out[i] = (int8_t)acc;
  }
}
