/* FRAMER (mb_signal.h): TFLite Micro's FramerEval and FramerResetState. */
#include "mb_signal.h"

static mb_cbuf *row(const mb_framer_params *p, int32_t *state, int32_t r) {
  return (mb_cbuf *)(void *)(state + (uint32_t)r * mb_cbuf_words(p->capacity));
}

void mb_framer_reset(const mb_framer_params *p, int32_t *state) {
  for (int32_t r = 0; r < p->outer; r++) {
    mb_cbuf *cb = row(p, state, r);
    mb_cbuf_reset(cb, p->capacity);
    if (p->prefill) mb_cbuf_write(cb, 0, p->frame_size - p->frame_step); /* zeros */
  }
}

int32_t mb_framer_s16(const mb_framer_params *p, int32_t *state, const int16_t *in,
                      int16_t *out) {
  int32_t valid = 1;
  for (int32_t r = 0; r < p->outer; r++) {
    mb_cbuf *cb = row(p, state, r);
    for (int32_t f = 0; f < p->n_frames; f++) {
      const int32_t k = r * p->n_frames + f;
      mb_cbuf_write(cb, in + k * p->frame_step, p->frame_step);
      if (mb_cbuf_available(cb) >= p->frame_size) {
        mb_cbuf_get(cb, p->frame_size, out + k * p->frame_size);
        mb_cbuf_discard(cb, p->frame_step);
      } else {
        valid = 0; /* that frame is left as it was */
      }
    }
  }
  return valid;
}
