/* FILTER_BANK_LOG (mb_signal.h): TFLite Micro's FilterbankLog. */
#include "mb_signal.h"

void mb_filter_bank_log_u32(const mb_filter_bank_log_params *p, const uint32_t *in,
                            int16_t *out) {
  for (int32_t i = 0; i < p->size; i++) {
    const uint32_t scaled = in[i] << p->correction_bits;
    const uint32_t v = scaled > 1 ? mb_log32(scaled, (uint32_t)p->output_scale) : 0;
    out[i] = (int16_t)(v < INT16_MAX ? v : INT16_MAX);
  }
}
