/* FILTER_BANK_SPECTRAL_SUBTRACTION (mb_signal.h): TFLite Micro's FilterbankSpectralSubtraction
 * and its eval's copy of the estimates. */
#include "mb_signal.h"

void mb_spectral_subtraction_reset(const mb_spectral_subtraction_params *p, uint32_t *noise) {
  for (int32_t i = 0; i < p->num_channels; i++) noise[i] = 0;
}

void mb_spectral_subtraction_u32(const mb_spectral_subtraction_params *p, uint32_t *noise,
                                 const uint32_t *in, uint32_t *out, uint32_t *noise_out) {
  const uint32_t bits = (uint32_t)p->spectral_subtraction_bits;
  for (int32_t i = 0; i < p->num_channels; i++) {
    const int odd = i & 1; /* odd channels take the alternate coefficients */
    const uint32_t smoothing = (uint32_t)(odd ? p->alternate_smoothing : p->smoothing);
    const uint32_t rest = (uint32_t)(odd ? p->alternate_one_minus_smoothing
                                         : p->one_minus_smoothing);
    const uint32_t scaled = in[i] << p->smoothing_bits;
    noise[i] = (uint32_t)(((uint64_t)scaled * smoothing + (uint64_t)noise[i] * rest) >> bits);
    uint32_t estimate = noise[i];
    if (estimate > scaled) {
      estimate = scaled;
      if (p->clamping) noise[i] = estimate;
    }
    const uint32_t floor =
        (uint32_t)(((uint64_t)in[i] * (uint32_t)p->min_signal_remaining) >> bits);
    const uint32_t subtracted = (scaled - estimate) >> p->smoothing_bits;
    out[i] = subtracted > floor ? subtracted : floor;
  }
  for (int32_t i = 0; i < p->noise_outputs; i++) noise_out[i] = noise[i];
}
