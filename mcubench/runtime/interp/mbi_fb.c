/* A small flatbuffer reader over the TFLite schema's vtables, verifying every position it follows.
 *
 * Flatbuffer layout, as far as needed here: the file starts with a uoffset (uint32) to the root
 * table. A table starts with an soffset (int32) back to its vtable: uint16 vtable bytes, uint16
 * table bytes, then one uint16 per field, the field's offset inside the table (0: absent, use the
 * default). Reference fields hold a uoffset, relative to the field itself, to a table or to a
 * vector (uint32 length, then the elements; a vector of tables holds a uoffset per element).
 * Everything is little-endian. Reads assemble bytes, so the model's metadata needs no particular
 * alignment.
 */
#include "mbi.h"

static uint32_t le(const uint8_t *p, uint32_t width) {
  uint32_t v = 0;
  for (uint32_t i = width; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

static int fail(mbi_fb *fb) {
  fb->err = 1;
  return 0;
}

/* The `width` bytes at pos, if they are inside the buffer. */
static uint32_t fb_read(mbi_fb *fb, uint32_t pos, uint32_t width) {
  if (fb->err || pos > fb->size || fb->size - pos < width) return (uint32_t)fail(fb);
  return le(fb->buf + pos, width);
}

uint32_t mbi_fb_u32(mbi_fb *fb, uint32_t pos) { return fb_read(fb, pos, 4); }

static const mbi_table absent = {0, 0, 0, 0};

int mbi_fb_table_at(mbi_fb *fb, uint32_t pos, mbi_table *t) {
  *t = absent;
  if ((pos & 3u) != 0) return fail(fb);
  int64_t vtable = (int64_t)pos - (int32_t)fb_read(fb, pos, 4);
  if (fb->err || vtable < 0 || vtable > (int64_t)fb->size - 4 || (vtable & 1) != 0)
    return fail(fb);
  uint32_t vt_size = fb_read(fb, (uint32_t)vtable, 2), size = fb_read(fb, (uint32_t)vtable + 2, 2);
  if (vt_size < 4 || (vt_size & 1u) != 0 || vt_size > fb->size - (uint32_t)vtable) return fail(fb);
  if (size < 4 || size > fb->size - pos) return fail(fb);
  t->pos = pos;
  t->vtable = (uint32_t)vtable;
  t->vt_size = (uint16_t)vt_size;
  t->size = (uint16_t)size;
  return 1;
}

int mbi_fb_root(mbi_fb *fb, mbi_table *root) {
  *root = absent;
  if (fb->size < 8) return fail(fb);
  uint32_t pos = fb_read(fb, 0, 4);
  return fb->err ? 0 : mbi_fb_table_at(fb, pos, root);
}

/* Position of a field of `width` bytes inside the table, or 0 if the field is absent. */
static uint32_t field(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint32_t width) {
  if (fb->err || t->pos == 0) return 0;
  uint32_t entry = 4 + 2 * slot;
  if (entry + 2 > t->vt_size) return 0; /* written by an older schema: the default */
  uint32_t offset = le(fb->buf + t->vtable + entry, 2);
  if (offset == 0) return 0;
  if (offset + width > t->size) return (uint32_t)fail(fb);
  return t->pos + offset;
}

uint32_t mbi_fb_uint(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint32_t width,
                     uint32_t dflt) {
  uint32_t p = field(fb, t, slot, width);
  return p ? le(fb->buf + p, width) : dflt;
}

int32_t mbi_fb_int(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint32_t width, int32_t dflt) {
  uint32_t p = field(fb, t, slot, width);
  if (!p) return dflt;
  uint32_t v = le(fb->buf + p, width);
  if (width == 1) return (int8_t)(uint8_t)v;
  if (width == 2) return (int16_t)(uint16_t)v;
  return (int32_t)v;
}

static float as_f32(uint32_t bits) {
  mbi_f32_bits v;
  v.u = bits;
  return v.f;
}

float mbi_fb_f32(mbi_fb *fb, const mbi_table *t, uint32_t slot, float dflt) {
  uint32_t p = field(fb, t, slot, 4);
  return p ? as_f32(le(fb->buf + p, 4)) : dflt;
}

uint64_t mbi_fb_u64(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint64_t dflt) {
  uint32_t p = field(fb, t, slot, 8);
  return p ? ((uint64_t)le(fb->buf + p + 4, 4) << 32) | le(fb->buf + p, 4) : dflt;
}

/* Follow a uoffset stored at pos; 0 on error. */
static uint32_t follow(mbi_fb *fb, uint32_t pos) {
  uint32_t offset = fb_read(fb, pos, 4);
  if (fb->err || offset == 0 || offset >= fb->size - pos) return (uint32_t)fail(fb);
  return pos + offset;
}

int mbi_fb_table(mbi_fb *fb, const mbi_table *t, uint32_t slot, mbi_table *out) {
  *out = absent;
  uint32_t p = field(fb, t, slot, 4);
  if (!p) return 0;
  uint32_t target = follow(fb, p);
  return fb->err ? 0 : mbi_fb_table_at(fb, target, out);
}

int mbi_fb_vec(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint32_t elem_bytes, mbi_vec *out) {
  out->pos = out->len = 0;
  uint32_t p = field(fb, t, slot, 4);
  if (!p) return 0;
  uint32_t v = follow(fb, p);
  uint32_t len = fb_read(fb, v, 4);
  if (fb->err || (v & 3u) != 0 || len > (fb->size - v - 4) / elem_bytes) return fail(fb);
  out->pos = v + 4;
  out->len = len;
  return 1;
}

static uint32_t element(mbi_fb *fb, const mbi_vec *v, uint32_t i, uint32_t width) {
  if (fb->err || i >= v->len) return (uint32_t)fail(fb);
  return v->pos + i * width; /* inside the buffer: mbi_fb_vec checked len * width */
}

int32_t mbi_fb_vec_i32(mbi_fb *fb, const mbi_vec *v, uint32_t i) {
  uint32_t p = element(fb, v, i, 4);
  return fb->err ? 0 : (int32_t)le(fb->buf + p, 4);
}

int64_t mbi_fb_vec_i64(mbi_fb *fb, const mbi_vec *v, uint32_t i) {
  uint32_t p = element(fb, v, i, 8);
  if (fb->err) return 0;
  return (int64_t)(((uint64_t)le(fb->buf + p + 4, 4) << 32) | le(fb->buf + p, 4));
}

float mbi_fb_vec_f32(mbi_fb *fb, const mbi_vec *v, uint32_t i) {
  uint32_t p = element(fb, v, i, 4);
  return fb->err ? 0.0f : as_f32(le(fb->buf + p, 4));
}

int mbi_fb_vec_table(mbi_fb *fb, const mbi_vec *v, uint32_t i, mbi_table *out) {
  *out = absent;
  uint32_t p = element(fb, v, i, 4);
  if (fb->err) return 0;
  uint32_t target = follow(fb, p);
  return fb->err ? 0 : mbi_fb_table_at(fb, target, out);
}
