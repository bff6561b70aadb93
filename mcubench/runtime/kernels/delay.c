/* DELAY (mb_signal.h): TFLite Micro's DelayEval, one circular buffer per row. */
#include "mb_signal.h"

static mb_cbuf *row(const mb_delay_params *p, int32_t *state, int32_t r) {
  return (mb_cbuf *)(void *)(state + (uint32_t)r * mb_cbuf_words(p->frame_size + p->delay));
}

void mb_delay_reset(const mb_delay_params *p, int32_t *state) {
  for (int32_t r = 0; r < p->outer; r++) {
    mb_cbuf *cb = row(p, state, r);
    mb_cbuf_reset(cb, p->frame_size + p->delay);
    mb_cbuf_write(cb, 0, p->delay); /* zeros */
  }
}

void mb_delay_s16(const mb_delay_params *p, int32_t *state, const int16_t *in, int16_t *out) {
  for (int32_t r = 0; r < p->outer; r++) {
    mb_cbuf *cb = row(p, state, r);
    mb_cbuf_write(cb, in + r * p->frame_size, p->frame_size);
    mb_cbuf_get(cb, p->frame_size, out + r * p->frame_size);
    mb_cbuf_discard(cb, p->frame_size);
  }
}
