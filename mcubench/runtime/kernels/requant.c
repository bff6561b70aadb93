/* The one fixed-point requantization every int8 kernel uses, so that all ops round alike.
 *
 * Semantics of TFLite's MultiplyByQuantizedMultiplier in its default (double-rounding) build, the
 * one TFLite Micro's reference kernels use: a saturating rounding doubling high multiply
 * (gemmlowp's SaturatingRoundingDoublingHighMul) followed by a rounding arithmetic right shift
 * (RoundingDivideByPOT). Both round half away from zero, each at its own step. */
#include <stdint.h>

#include "mb_kernels.h"

int32_t mb_doubling_high_mul(int32_t a, int32_t b) {
  /* The only overflow: (-1) * (-1) in Q31 is +1, not representable. */
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  /* C99 division truncates toward zero, as gemmlowp relies on. */
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

int32_t mb_rounding_shift_right(int32_t x, int32_t exponent) {
  /* exponent is 0..31; a 32-bit mask avoids a 64-bit shift (a libgcc call on RV32) */
  int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u);
  int32_t remainder = x & mask;
  /* Negative values need a remainder strictly above half to round (away from zero) down. */
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  /* >> of a negative int is arithmetic on every compiler we target (GCC, Clang). */
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t mb_requantize(int32_t acc, int32_t mult, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0;
  int32_t right = shift > 0 ? 0 : -shift;
  /* The left shift wraps like TFLite's x * (1 << left) does; unsigned keeps it defined in C. */
  int32_t shifted = (int32_t)((uint32_t)acc << left);
  return mb_rounding_shift_right(mb_doubling_high_mul(shifted, mult), right);
}
