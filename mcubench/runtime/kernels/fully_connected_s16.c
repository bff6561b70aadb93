/* int16 fully connected with int8 filters (TFLite Micro FullyConnected / FullyConnectedPerChannel
 * for int16): filter out_units x in_features, symmetric; requantization per tensor or per unit. */
#include <stdint.h>

#include "mb_kernels_s16.h"

void mb_fully_connected_s16(const mb_fully_connected_s16_params *p, int32_t batches,
                            int32_t in_features, const int16_t *in, int32_t out_units,
                            const int8_t *filter, const void *bias, int16_t *out) {
  const int64_t *bias64 = (const int64_t *)bias;
  const int32_t *bias32 = (const int32_t *)bias;
  for (int32_t b = 0; b < batches; b++) {
    const int16_t *x = in + b * in_features;
    for (int32_t u = 0; u < out_units; u++) {
      const int8_t *w = filter + u * in_features;
      const mb_requant *rq = &p->requant[p->per_channel ? u : 0];
      int64_t acc = 0;
      for (int32_t d = 0; d < in_features; d++) acc += (int32_t)x[d] * (int32_t)w[d];
      int32_t y;
      if (p->acc64) {
        if (bias) acc += bias64[u];
        y = mb_requantize64(acc, rq->mult, rq->shift);
      } else { /* TFLite's int32 accumulator: the same sum, wrapped to 32 bits */
        uint32_t acc32 = (uint32_t)acc + (bias ? (uint32_t)bias32[u] : 0u);
        y = mb_requantize((int32_t)acc32, rq->mult, rq->shift);
      }
      y = y < p->act_min ? p->act_min : y;
      y = y > p->act_max ? p->act_max : y;
      out[b * out_units + u] = (int16_t)y;
    }
  }
}
