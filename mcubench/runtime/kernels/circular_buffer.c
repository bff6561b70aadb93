/* CIRCULAR_BUFFER (mb_signal.h): TFLite Micro's CircularBufferEval on the operator's own copy of
 * the slots (state[0]: the countdown; the slots follow). */
#include "mb_signal.h"

void mb_circular_buffer_reset(const mb_circular_buffer_params *p, int32_t *state) {
  int8_t *slots = (int8_t *)(void *)(state + 1);
  state[0] = p->cycles_max;
  for (int32_t i = 0; i < p->slots * p->depth; i++) slots[i] = (int8_t)p->zero_point;
}

int32_t mb_circular_buffer_s8(const mb_circular_buffer_params *p, int32_t *state,
                              const int8_t *in, int8_t *out) {
  int8_t *slots = (int8_t *)(void *)(state + 1);
  const int32_t keep = (p->slots - 1) * p->depth;
  for (int32_t i = 0; i < keep; i++) slots[i] = slots[i + p->depth];
  for (int32_t i = 0; i < p->depth; i++) slots[keep + i] = in[i];
  for (int32_t i = 0; i < keep + p->depth; i++) out[i] = slots[i];
  if (--state[0] != 0) return 0; /* not this time: the rest of the invoke waits */
  state[0] = p->cycles_max;
  return 1;
}
