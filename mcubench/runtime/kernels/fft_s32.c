/* RFFT and IRFFT, int32 (mb_signal.h): kiss_fft with FIXED_POINT 32 (Q31, int64 products). Sums
 * are taken modulo 2^32, as the x86 build of TFLite Micro the reference runs wraps them. */
#include <stdint.h>

#define T int32_t
#define SFX s32
#define WIDE uint32_t
#define NARROW(x) ((int32_t)(uint32_t)(x))
#define HALF(x) ((int32_t)(x) >> 1)
#define ROUND31(x) ((int32_t)(((x) + ((int64_t)1 << 30)) >> 31))
#define MUL(a, b) ROUND31((int64_t)(a) * (b))
#define FIXDIV(x, k) ROUND31((int64_t)(x) * (2147483647 / (k)))
#define CMUL_R(a, b) ROUND31((int64_t)(a).r * (b).r - (int64_t)(a).i * (b).i)
#define CMUL_I(a, b) ROUND31((int64_t)(a).r * (b).i + (int64_t)(a).i * (b).r)
#define IRFFT_SCALE(frame, len) ((void)(frame), (void)(len)) /* kiss scales by 1/n already */

#include "fft_tpl.h"
