/* RFFT and IRFFT, int16 (mb_signal.h): kiss_fft with FIXED_POINT 16 (Q15, rounding shifts). */
#include <stdint.h>

#define T int16_t
#define SFX s16
#define WIDE int32_t /* int16 sums cannot overflow an int: stored modulo 2^16 */
#define NARROW(x) ((int16_t)(x))
#define HALF(x) ((x) >> 1)
#define ROUND15(x) ((int16_t)(((x) + (1 << 14)) >> 15))
#define MUL(a, b) ROUND15((int32_t)(a) * (b))
#define FIXDIV(x, k) ROUND15((int32_t)(x) * (32767 / (k)))
#define CMUL_R(a, b) ROUND15((int32_t)(a).r * (b).r - (int32_t)(a).i * (b).i)
#define CMUL_I(a, b) ROUND15((int32_t)(a).r * (b).i + (int32_t)(a).i * (b).r)
#define IRFFT_SCALE(frame, len) ((void)(frame), (void)(len)) /* kiss scales by 1/n already */

#include "fft_tpl.h"
