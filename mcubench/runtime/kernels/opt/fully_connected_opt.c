/* int8 FULLY_CONNECTED: results identical to mb_fully_connected_s8. Large layers run on the GEMM
 * (batches are its rows, two at a time), small ones (classifier heads) on one plain loop: the
 * GEMM's register blocks are kilobytes of code a few hundred multiply-adds do not pay for. */
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

void mb_fully_connected_s8_small(const mb_requant_opt *rq, int32_t batches, int32_t in_features,
                                 const int8_t *in, int32_t out_units, const int8_t *filter,
                                 int8_t *out) {
  const int32_t zp = rq->output_offset, lo = rq->act_min, hi = rq->act_max, relu = rq->relu;
  const int32_t step = rq->per_channel ? 1 : 0; /* per tensor: entry 0 serves every unit */
  const int32_t *bias = rq->bias, *mult = rq->mult;
  const int8_t *shift = rq->shift;
  for (int32_t b = 0; b < batches; b++, in += in_features) {
    const int8_t *w = filter;
    for (int32_t u = 0; u < out_units; u++) {
      int32_t acc = bias[u];
      for (int32_t i = 0; i < in_features; i++) acc += (int32_t)in[i] * *w++;
      *out++ = (int8_t)mb_out_s8(acc, mult[u * step], shift[u * step], relu, zp, lo, hi);
    }
  }
}
