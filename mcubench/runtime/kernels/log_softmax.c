/* int8 LOG_SOFTMAX (mb_log_softmax.h), TFLite Micro's LogSoftmaxQuantized step by step: per row,
 * gemmlowp's exp (Q5.26 in) of every difference to the row's maximum that is at least diff_min,
 * summed in Q12.19; the log of the sum in Q5.26; each output the scaled difference minus that
 * log, rounded to 4 fractional bits plus 127, clamped, or -128 at or below the threshold where
 * the result cannot be represented. */
#include <stdint.h>

#include "mb_fixedpoint.h"
#include "mb_kernels.h" /* mb_requantize, mb_rounding_shift_right */
#include "mb_log_softmax.h"

#define INPUT_INTEGER_BITS 5
#define ACCUM_INTEGER_BITS 12
#define OUTPUT_INTEGER_BITS 4

void mb_log_softmax_s8(const mb_log_softmax_params *p, const int8_t *in, int8_t *out) {
  const int32_t depth = p->depth;
  for (int32_t r = 0; r < p->rows; r++) {
    const int8_t *x = in + r * depth;
    int8_t *y = out + r * depth;
    int32_t max = INT8_MIN;
    for (int32_t c = 0; c < depth; c++) max = x[c] > max ? x[c] : max;

    uint32_t sum = 0; /* Q12.19, adding as gemmlowp's int32 (wrapping) */
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      if (diff >= p->diff_min) {
        const int32_t q5 = mb_requantize(diff, p->input_multiplier, p->input_left_shift);
        sum += (uint32_t)mb_rounding_shift_right(
            mb_fp_exp_on_negative_values(q5, INPUT_INTEGER_BITS), ACCUM_INTEGER_BITS);
      }
    }
    const int32_t log_sum = mb_fp_log_x_ge_1((int32_t)sum, ACCUM_INTEGER_BITS, INPUT_INTEGER_BITS);
    /* the smallest Q5.26 value plus the log, back in the input's scale */
    const int32_t shifted = (int32_t)((uint32_t)log_sum + (uint32_t)INT32_MIN);
    const int32_t reverse = mb_requantize(shifted, p->reverse_scaling_divisor,
                                          -p->reverse_scaling_right_shift);
    const int32_t threshold = p->diff_min - 1 > reverse ? p->diff_min - 1 : reverse;

    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      int32_t v = INT8_MIN;
      if (diff > threshold) {
        const int32_t q5 = mb_requantize(diff, p->input_multiplier, p->input_left_shift);
        v = mb_rounding_shift_right((int32_t)((uint32_t)q5 - (uint32_t)log_sum),
                                    31 - INPUT_INTEGER_BITS - OUTPUT_INTEGER_BITS) + INT8_MAX;
        v = v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
      }
      y[c] = (int8_t)v;
    }
  }
}
