/* CUMSUM of int8 tensors (mb_cumsum.h), TFLite Micro's quantized CumSum: each input minus its zero
 * point is shifted up left_shift bits and scaled by input_mult (one half), added into an int32
 * accumulator, and every running sum is requantized to the output. The accumulator starts at the
 * scaled -zero point (TFLite Micro's start), not 0. Sums wrap as TFLite's int32 additions do. */
#include <stdint.h>

#include "mb_cumsum.h"
#include "mb_kernels.h" /* mb_requantize */

void mb_cumsum_s8(const mb_cumsum_params *p, const int8_t *in, int8_t *out) {
  const int32_t extent = p->extent, inner = p->inner;
  const int32_t start = mb_requantize((int32_t)((uint32_t)p->input_offset << p->left_shift),
                                      p->input_mult, p->input_shift);
  for (int32_t o = 0; o < p->outer; o++)
    for (int32_t i = 0; i < inner; i++) {
      const int32_t base = o * extent * inner + i;
      uint32_t acc = (uint32_t)start;
      for (int32_t a = 0; a < extent; a++) {
        const int32_t at = base + (p->reverse ? extent - 1 - a : a) * inner;
        const int32_t x = p->input_offset + in[at];
        const int32_t scaled = mb_requantize((int32_t)((uint32_t)x << p->left_shift),
                                             p->input_mult, p->input_shift);
        const uint32_t before = acc;
        acc += (uint32_t)scaled;
        int32_t v = mb_requantize((int32_t)(p->exclusive ? before : acc), p->output_mult,
                                  p->output_shift) + p->output_offset;
        v = v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
        out[at] = (int8_t)v;
      }
    }
}
