/* WINDOW (mb_signal.h): TFLite Micro's ApplyWindow over consecutive windows. */
#include "mb_signal.h"

void mb_window_s16(const mb_window_params *p, const int16_t *in, const int16_t *window,
                   int16_t *out) {
  for (int32_t base = 0; base < p->count; base += p->size) {
    for (int32_t i = 0; i < p->size; i++) {
      const int32_t v = ((int32_t)in[base + i] * window[i]) >> p->shift;
      out[base + i] = (int16_t)(v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v);
    }
  }
}
