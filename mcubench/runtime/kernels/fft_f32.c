/* RFFT and IRFFT, float32 (mb_signal.h): kiss_fft in float, every operation in kiss's order (no
 * contraction: -std=c99); the inverse divides by the real length as TFLite Micro does. */
#include <stdint.h>

#define T float
#define SFX f32
#define WIDE float
#define NARROW(x) (x)
#define HALF(x) ((x) * 0.5f)
#define MUL(a, b) ((a) * (b))
#define FIXDIV(x, k) (x)
#define CMUL_R(a, b) ((a).r * (b).r - (a).i * (b).i)
#define CMUL_I(a, b) ((a).r * (b).i + (a).i * (b).r)
#define IRFFT_SCALE(frame, len) irfft_scale_f32(frame, len)

static void irfft_scale_f32(float *frame, int32_t len) {
  for (int32_t i = 0; i < len; i++) frame[i] /= (float)len;
}

#include "fft_tpl.h"
