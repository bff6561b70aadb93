/* OVERLAP_ADD (mb_signal.h): TFLite Micro's OverlapAdd per frame, a running buffer of
 * frame_size values per row. */
#include "mb_signal.h"

void mb_overlap_add_reset(const mb_overlap_add_params *p, int32_t *state) {
  for (int32_t i = 0; i < p->words; i++) state[i] = 0; /* 0 and 0.0f alike */
}

void mb_overlap_add_s16(const mb_overlap_add_params *p, int16_t *state, const int16_t *in,
                        int16_t *out) {
  const int32_t n = p->frame_size, step = p->frame_step;
  for (int32_t r = 0; r < p->outer; r++) {
    int16_t *buf = state + r * n;
    for (int32_t f = 0; f < p->n_frames; f++) {
      const int32_t k = r * p->n_frames + f;
      for (int32_t i = 0; i < n; i++) {
        const int32_t v = in[k * n + i] + buf[i];
        buf[i] = (int16_t)(v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v);
      }
      for (int32_t i = 0; i < step; i++) out[k * step + i] = buf[i];
      for (int32_t i = 0; i < n - step; i++) buf[i] = buf[i + step];
      for (int32_t i = n - step; i < n; i++) buf[i] = 0;
    }
  }
}

void mb_overlap_add_f32(const mb_overlap_add_params *p, float *state, const float *in,
                        float *out) {
  const int32_t n = p->frame_size, step = p->frame_step;
  for (int32_t r = 0; r < p->outer; r++) {
    float *buf = state + r * n;
    for (int32_t f = 0; f < p->n_frames; f++) {
      const int32_t k = r * p->n_frames + f;
      for (int32_t i = 0; i < n; i++) buf[i] += in[k * n + i];
      for (int32_t i = 0; i < step; i++) out[k * step + i] = buf[i];
      for (int32_t i = 0; i < n - step; i++) buf[i] = buf[i + step];
      for (int32_t i = n - step; i < n; i++) buf[i] = 0.0f;
    }
  }
}
