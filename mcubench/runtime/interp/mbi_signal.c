/* Shared checks of the custom operators' interpreter files (mbi_signal.h). */
#include "mbi_signal.h"

int mbi_signal_options(const mbi_ctx *ctx, const char *const *keys, uint32_t n, int32_t *values) {
  mbi_flex_map m;
  int rc = mbi_custom_options(ctx, &m);
  if (rc != MBI_OK) return rc;
  if (m.len != n) return MBI_ERR_PARAMS;
  for (uint32_t k = 0; rc == MBI_OK && k < n; k++) {
    const int32_t i = mbi_flex_find(&m, keys[k]);
    const uint8_t type = mbi_flex_type(&m, i);
    /* an inline INT or BOOL (flexbuffers' types 1, 26) at its alphabetical position */
    if (i != (int32_t)k || (type != 1 && type != 26)) return MBI_ERR_PARAMS;
    const int64_t v = mbi_flex_raw(&m, i);
    if (v < INT32_MIN || v > INT32_MAX) return MBI_ERR_PARAMS;
    values[k] = (int32_t)v;
  }
  return m.err ? MBI_ERR_PARAMS : rc;
}

const mbi_tensor *mbi_signal_tensor(const mbi_ctx *ctx, int32_t t, uint8_t type, int rank) {
  if (t < 0 || (uint32_t)t >= ctx->num_tensors) return 0;
  const mbi_tensor *x = mbi_t(ctx, t);
  if ((x->flags & MBI_T_BAD) || x->type != type || (rank >= 0 && x->rank != rank)) return 0;
  return x;
}
