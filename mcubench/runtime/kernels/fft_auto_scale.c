/* FFT_AUTO_SCALE (mb_signal.h): TFLite Micro's FftAutoScale with its MaxAbs16 as it is. */
#include "mb_signal.h"

int32_t mb_fft_auto_scale_s16(int32_t size, const int16_t *in, int16_t *out) {
  int16_t max = 0;
  for (int32_t i = 0; i < size; i++) { /* -(-32768) wraps back to -32768 in int16 */
    if (in[i] > max) max = in[i];
    else if (-in[i] > max) max = (int16_t)-in[i];
  }
  int32_t bits = 16 - (int32_t)mb_msb32((uint32_t)(int32_t)max) - 1;
  if (bits < 0) bits = 0;
  for (int32_t i = 0; i < size; i++) out[i] = (int16_t)(in[i] * (1 << bits));
  return bits;
}
