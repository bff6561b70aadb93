/* int8 fully connected (TFLite Micro FullyConnected semantics): filter out_units x in_features,
 * symmetric (zero point 0); requantization per tensor, or per output unit. */
#include <stdint.h>

#include "mb_kernels.h"

void mb_fully_connected_s8(const mb_fully_connected_params *p, int32_t batches,
                           int32_t in_features, const int8_t *in, int32_t out_units,
                           const int8_t *filter, const int32_t *bias, int8_t *out) {
  for (int32_t b = 0; b < batches; b++) {
    const int8_t *x = in + b * in_features;
    for (int32_t u = 0; u < out_units; u++) {
      const int8_t *w = filter + u * in_features;
      int32_t acc = 0;
      for (int32_t d = 0; d < in_features; d++) {
        acc += ((int32_t)x[d] + p->input_offset) * (int32_t)w[d];
      }
      if (bias) acc += bias[u];
      const mb_requant *rq = &p->requant[p->per_channel ? u : 0];
      acc = mb_requantize(acc, rq->mult, rq->shift);
      acc += p->output_offset;
      acc = acc < p->act_min ? p->act_min : acc;
      acc = acc > p->act_max ? p->act_max : acc;
      out[b * out_units + u] = (int8_t)acc;
    }
  }
}
