/* STACKER (mb_signal.h): TFLite Micro's StackerEval and StackerReset. state[0] says whether the
 * first frame came (it is repeated left-context times), the circular buffer follows. */
#include "mb_signal.h"

void mb_stacker_reset(const mb_stacker_params *p, int32_t *state) {
  state[0] = 0;
  mb_cbuf_reset((mb_cbuf *)(void *)(state + 1), p->size);
}

int32_t mb_stacker_s16(const mb_stacker_params *p, int32_t *state, const int16_t *in,
                       int16_t *out) {
  mb_cbuf *cb = (mb_cbuf *)(void *)(state + 1);
  mb_cbuf_write(cb, in, p->num_channels);
  if (!state[0]) {
    mb_cbuf_extend(cb, p->num_channels, p->left);
    state[0] = 1;
  }
  if (mb_cbuf_available(cb) < p->size) return 0; /* the stack is left as it was */
  mb_cbuf_get(cb, p->size, out);
  mb_cbuf_discard(cb, p->step_size);
  return 1;
}
