/* int8 LEAKY_RELU (TFLite Micro's QuantizeLeakyRelu): x - zero point >= 0 is requantized with
 * input_scale / output_scale, below 0 with input_scale * alpha / output_scale. */
#include <stdint.h>

#include "mb_activation.h"
#include "mb_kernels.h"

void mb_leaky_relu_s8(const mb_leaky_relu_params *p, int32_t size, const int8_t *in,
                      int8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    const int32_t x = (int32_t)in[i] - p->input_offset;
    int32_t v = p->output_offset + (x >= 0 ? mb_requantize(x, p->mult_identity, p->shift_identity)
                                           : mb_requantize(x, p->mult_alpha, p->shift_alpha));
    v = v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
    out[i] = (int8_t)v;
  }
}
