/* FILTER_BANK_SQUARE_ROOT (mb_signal.h): TFLite Micro's FilterbankSqrt; the shift modulo 32 as
 * the x86 build of TFLite Micro does it (32 or more is undefined in C). */
#include "mb_signal.h"

void mb_filter_bank_square_root_u64(int32_t size, const uint64_t *in, int32_t shift,
                                    uint32_t *out) {
  for (int32_t i = 0; i < size; i++) out[i] = mb_sqrt64(in[i]) >> ((uint32_t)shift & 31u);
}
