/* Circular buffers of int16 samples (mb_signal.h), with TFLite Micro's CircularBuffer semantics
 * for what FRAMER, DELAY and STACKER use of it; the samples are kept once (TFLite Micro keeps a
 * mirrored second copy for contiguous reads), which changes no result. */
#include "mb_signal.h"

static int16_t *samples(mb_cbuf *cb) { return (int16_t *)(void *)(cb + 1); }
static const int16_t *csamples(const mb_cbuf *cb) {
  return (const int16_t *)(const void *)(cb + 1);
}

uint32_t mb_cbuf_words(int32_t capacity) {
  return (uint32_t)(sizeof(mb_cbuf) / 4) + ((uint32_t)capacity + 1) / 2;
}

void mb_cbuf_reset(mb_cbuf *cb, int32_t capacity) {
  cb->capacity = capacity;
  cb->read = cb->write = 0;
  cb->empty = 1;
  for (int32_t i = 0; i < capacity; i++) samples(cb)[i] = 0;
}

int32_t mb_cbuf_available(const mb_cbuf *cb) {
  const int32_t diff = cb->write - cb->read;
  if (diff > 0) return diff;
  if (diff < 0) return cb->capacity + diff;
  return cb->empty ? 0 : cb->capacity;
}

void mb_cbuf_write(mb_cbuf *cb, const int16_t *values, int32_t n) {
  if (n <= 0) return;
  for (int32_t i = 0; i < n; i++) {
    samples(cb)[cb->write] = values ? values[i] : 0;
    if (++cb->write == cb->capacity) cb->write = 0;
  }
  cb->empty = 0;
}

void mb_cbuf_extend(mb_cbuf *cb, int32_t count, int32_t times) {
  if (times <= 0 || count <= 0) return;
  const int32_t start = count > cb->write ? cb->write + cb->capacity - count : cb->write - count;
  for (int32_t t = 0; t < times; t++) {
    for (int32_t i = 0, k = start; i < count; i++) { /* the source is never overwritten */
      const int16_t v = samples(cb)[k];
      mb_cbuf_write(cb, &v, 1);
      if (++k == cb->capacity) k = 0;
    }
  }
}

void mb_cbuf_get(const mb_cbuf *cb, int32_t n, int16_t *out) {
  for (int32_t i = 0, k = cb->read; i < n; i++) {
    out[i] = csamples(cb)[k];
    if (++k == cb->capacity) k = 0;
  }
}

void mb_cbuf_discard(mb_cbuf *cb, int32_t n) {
  cb->read += n;
  if (cb->read >= cb->capacity) cb->read -= cb->capacity;
  if (cb->read == cb->write) cb->empty = 1;
}
