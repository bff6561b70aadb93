/* Flexbuffer maps: the custom_options of TFLite Micro's custom operators (mbi.h).
 *
 * Layout (flexbuffers' spec, little-endian): the buffer's last byte is the root's byte width, the
 * one before it the root's packed type (type << 2 | log2 of the width of what it points at); the
 * root value sits just before those two bytes. A map's root value is an offset back to its values;
 * before the values lie, each `width` bytes wide, the offset to the keys vector, the keys' byte
 * width and the element count; after the values, one packed type byte per value. Each key is an
 * offset to a zero-terminated string. Offsets are unsigned and point backwards from where they
 * are stored. */
#include "mbi.h"

#define FBT_NULL 0
#define FBT_INT 1
#define FBT_UINT 2
#define FBT_FLOAT 3
#define FBT_INDIRECT_INT 6
#define FBT_INDIRECT_UINT 7
#define FBT_INDIRECT_FLOAT 8
#define FBT_MAP 9
#define FBT_BOOL 26

static uint64_t flex_read(mbi_flex_map *m, uint32_t pos, uint32_t width) {
  if (m->err || width == 0 || pos > m->size || m->size - pos < width) {
    m->err = 1;
    return 0;
  }
  uint64_t v = 0;
  for (uint32_t i = width; i-- > 0;) v = (v << 8) | m->buf[pos + i];
  return v;
}

static int64_t sign_extend(uint64_t v, uint32_t width) {
  if (width >= 8) return (int64_t)v;
  const uint64_t sign = (uint64_t)1 << (8 * width - 1);
  return (int64_t)((v ^ sign) - sign);
}

/* Position `offset` bytes before pos, or set err. */
static uint32_t back(mbi_flex_map *m, uint32_t pos, uint64_t offset) {
  if (m->err || offset > pos) {
    m->err = 1;
    return 0;
  }
  return pos - (uint32_t)offset;
}

static int good_width(uint32_t w) { return w == 1 || w == 2 || w == 4 || w == 8; }

int mbi_flex_map_at(mbi_flex_map *m, const uint8_t *buf, uint32_t size) {
  static const mbi_flex_map empty;
  *m = empty;
  m->buf = buf, m->size = size;
  if (size < 3) return MBI_ERR_PARAMS;
  const uint32_t root_width = buf[size - 1], packed = buf[size - 2];
  if (!good_width(root_width) || (packed >> 2) != FBT_MAP || size - 2 < root_width)
    return MBI_ERR_PARAMS;
  const uint32_t root = size - 2 - root_width;
  const uint32_t values = back(m, root, flex_read(m, root, root_width));
  const uint32_t width = 1u << (packed & 3u);
  if (values < 3 * width) m->err = 1;
  const uint64_t len = flex_read(m, values - width, width);
  const uint32_t key_width = (uint32_t)flex_read(m, values - 2 * width, width);
  const uint32_t keys_at = values - 3 * width;
  const uint32_t keys = back(m, keys_at, flex_read(m, keys_at, width));
  if (m->err || !good_width(key_width) || len > size || keys < key_width ||
      (uint64_t)values + len * (width + 1) > size || (uint64_t)keys + len * key_width > size ||
      flex_read(m, keys - key_width, key_width) != len)
    return MBI_ERR_PARAMS;
  m->values = values, m->keys = keys, m->len = (uint32_t)len;
  m->width = (uint8_t)width, m->key_width = (uint8_t)key_width;
  return m->err ? MBI_ERR_PARAMS : MBI_OK;
}

int mbi_custom_options(const mbi_ctx *ctx, mbi_flex_map *m) {
  if (ctx->custom.len == 0) return MBI_ERR_PARAMS;
  return mbi_flex_map_at(m, ctx->fb.buf + ctx->custom.pos, ctx->custom.len);
}

int32_t mbi_flex_find(mbi_flex_map *m, const char *key) {
  for (uint32_t i = 0; !m->err && i < m->len; i++) {
    const uint32_t at = m->keys + i * m->key_width;
    uint32_t s = back(m, at, flex_read(m, at, m->key_width)), k = 0;
    while (!m->err && s + k < m->size && key[k] && m->buf[s + k] == (uint8_t)key[k]) k++;
    if (!m->err && !key[k] && s + k < m->size && m->buf[s + k] == 0) return (int32_t)i;
  }
  return -1;
}

uint8_t mbi_flex_type(mbi_flex_map *m, int32_t i) {
  if (i < 0 || (uint32_t)i >= m->len) return FBT_NULL;
  return (uint8_t)(flex_read(m, m->values + m->len * m->width + (uint32_t)i, 1) >> 2);
}

int64_t mbi_flex_raw(mbi_flex_map *m, int32_t i) {
  if (i < 0 || (uint32_t)i >= m->len) return 0;
  return sign_extend(flex_read(m, m->values + (uint32_t)i * m->width, m->width), m->width);
}

/* Value i's position and byte width, following an indirect scalar; type in *type. */
static uint32_t scalar(mbi_flex_map *m, int32_t i, uint32_t *width, uint8_t *type) {
  const uint32_t at = m->values + (uint32_t)i * m->width;
  const uint32_t packed = (uint32_t)flex_read(m, m->values + m->len * m->width + (uint32_t)i, 1);
  *type = (uint8_t)(packed >> 2);
  *width = m->width;
  if (*type >= FBT_INDIRECT_INT && *type <= FBT_INDIRECT_FLOAT) {
    *width = 1u << (packed & 3u);
    *type = (uint8_t)(*type - FBT_INDIRECT_INT + FBT_INT);
    return back(m, at, flex_read(m, at, m->width));
  }
  return at;
}

static double read_float(mbi_flex_map *m, uint32_t pos, uint32_t width) {
  if (width == 4) {
    mbi_f32_bits v;
    v.u = (uint32_t)flex_read(m, pos, 4);
    return (double)v.f;
  }
  mbi_f64_bits v;
  v.u = flex_read(m, pos, 8);
  return width == 8 ? v.d : 0.0; /* flexbuffers has no narrower float */
}

int64_t mbi_flex_int(mbi_flex_map *m, int32_t i) {
  if (i < 0 || (uint32_t)i >= m->len) return 0;
  uint32_t width;
  uint8_t type;
  const uint32_t pos = scalar(m, i, &width, &type);
  switch (type) {
  case FBT_INT: return sign_extend(flex_read(m, pos, width), width);
  case FBT_UINT: case FBT_BOOL: return (int64_t)flex_read(m, pos, width);
  case FBT_FLOAT: {
    const double d = read_float(m, pos, width); /* C's truncation, as static_cast<int64_t> */
    return d > -9.2e18 && d < 9.2e18 ? (int64_t)d : 0;
  }
  default: return 0;
  }
}

double mbi_flex_double(mbi_flex_map *m, int32_t i) {
  if (i < 0 || (uint32_t)i >= m->len) return 0.0;
  uint32_t width;
  uint8_t type;
  const uint32_t pos = scalar(m, i, &width, &type);
  switch (type) {
  case FBT_INT: return (double)sign_extend(flex_read(m, pos, width), width);
  case FBT_UINT: case FBT_BOOL: return (double)flex_read(m, pos, width);
  case FBT_FLOAT: return read_float(m, pos, width);
  default: return 0.0;
  }
}

int mbi_flex_i32(mbi_flex_map *m, const char *key, int32_t *out) {
  const int32_t i = mbi_flex_find(m, key);
  *out = (int32_t)mbi_flex_raw(m, i);
  return i < 0 || m->err ? MBI_ERR_PARAMS : MBI_OK;
}
