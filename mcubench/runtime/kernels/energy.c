/* ENERGY (mb_signal.h): TFLite Micro's SpectrumToEnergy; each square fits int32, their sum is
 * taken modulo 2^32 (-32768^2 twice is 2^31). */
#include "mb_signal.h"

void mb_energy_s16(const mb_energy_params *p, const int16_t *in, uint32_t *out) {
  for (int32_t i = p->start; i < p->end; i++) {
    const int32_t re = in[2 * i], im = in[2 * i + 1];
    out[i] = (uint32_t)(re * re) + (uint32_t)(im * im);
  }
}
