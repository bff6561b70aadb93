/* FILTER_BANK (mb_signal.h): TFLite Micro's FilterbankAccumulateChannels, writing channels
 * 1..outputs straight to the output (channel 0 only carries its unweighted sum on). */
#include "mb_signal.h"

void mb_filter_bank_u32(const mb_filter_bank_params *p, const uint32_t *in,
                        const int16_t *weights, const int16_t *unweights,
                        const int16_t *freq_starts, const int16_t *weight_starts,
                        const int16_t *widths, uint64_t *out) {
  uint64_t weighted = 0, unweighted = 0;
  for (int32_t c = 0; c <= p->num_channels && c <= p->outputs; c++) {
    const int32_t f = freq_starts[c], w = weight_starts[c];
    for (int32_t j = 0; j < widths[c]; j++) { /* an int16 weight widens to uint64 modulo 2^64 */
      weighted += (uint64_t)(int64_t)weights[w + j] * in[f + j];
      unweighted += (uint64_t)(int64_t)unweights[w + j] * in[f + j];
    }
    if (c > 0) out[c - 1] = weighted;
    weighted = unweighted;
    unweighted = 0;
  }
}
