/* int8 FULLY_CONNECTED on the GEMM (batches are its rows, two at a time): results identical to
 * mb_fully_connected_s8. */
#include <stdint.h>

#include "mb_kernels_opt.h"

void mb_fully_connected_s8_opt(const mb_requant_opt *rq, int32_t batches, int32_t in_features,
                               const int8_t *in, int32_t out_units, const int8_t *filter,
                               int8_t *out) {
  const int32_t f = in_features, u = out_units;
  const mb_gemm_rows rows = {f, 1, f};
  int32_t b = 0;
  for (; b + 2 <= batches; b += 2) {
    mb_gemm_s8_opt(rq, &rows, u, in + b * f, in + (b + 1) * f, filter, out + b * u,
                   out + (b + 1) * u);
  }
  if (b < batches) mb_gemm_s8_opt(rq, &rows, u, in + b * f, 0, filter, out + b * u, 0);
}
