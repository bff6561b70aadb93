/* int8 RELU and RELU6 as TFLite Micro's reference kernels run them. RELU requantizes from the
 * input to the output scale and clamps at the output's zero point; RELU6 only clamps, to [zero,
 * six] of the input's quantization, leaving the output quantization aside (TFLite Micro's
 * Relu6Quantized does so too). */
#include <stdint.h>

#include "mb_activation.h"
#include "mb_kernels.h"

void mb_relu_s8(const mb_relu_params *p, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    int32_t v = p->output_offset +
                mb_requantize((int32_t)in[i] - p->input_offset, p->mult, p->shift);
    v = v < p->act_min ? p->act_min : v;
    v = v > p->act_max ? p->act_max : v;
    out[i] = (int8_t)v;
  }
}

void mb_relu6_s8(const mb_relu6_params *p, int32_t size, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    const int32_t v = in[i];
    out[i] = (int8_t)(v > p->six ? p->six : v < p->zero ? p->zero : v);
  }
}
