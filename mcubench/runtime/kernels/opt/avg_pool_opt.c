/* int8 AVERAGE_POOL_2D: results identical to mb_avg_pool_s8 (the window clipped to the input, the
 * sum divided by the in-bounds count, rounded half away from zero, then the clamp).
 *
 * The window bounds are computed once per output pixel, not per tap. With a channel count that is a
 * multiple of 4, four channels are summed at once in 16-bit lanes of two registers (one word load
 * per window position: bytes biased by +128 so the lanes only grow, at most 257 positions so they
 * cannot carry into each other); otherwise channel by channel, one pointer stepping through each
 * window row. */
#include <stdint.h>

#include "mb_kernels_opt.h"

void mb_avg_pool_s8_opt(const mb_pool_params *p, const mb_dims *in_dims, const int8_t *in,
                        const mb_dims *out_dims, int8_t *out) {
  const int32_t in_h = in_dims->h, in_w = in_dims->w, ch = in_dims->c;
  const int32_t out_h = out_dims->h, out_w = out_dims->w;
  const int32_t act_min = p->act_min, act_max = p->act_max;
  for (int32_t b = 0; b < out_dims->n; b++) {
    const int8_t *in_b = in + b * in_h * in_w * ch;
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
      const int32_t fy1 = in_h - iy0 < p->filter_h ? in_h - iy0 : p->filter_h;
      for (int32_t ox = 0; ox < out_w; ox++, out += ch) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
        const int32_t fx1 = in_w - ix0 < p->filter_w ? in_w - ix0 : p->filter_w;
        const int32_t count = (fy1 - fy0) * (fx1 - fx0);
        const int32_t row_step = in_w * ch, span = (fx1 - fx0) * ch;
        const int8_t *first = in_b + ((iy0 + fy0) * in_w + ix0 + fx0) * ch;
        int32_t sums[4];
        const int32_t words = (ch & 3) == 0 && ((uintptr_t)in_b & 3u) == 0 && count <= 257;
        for (int32_t c = 0; c < ch; c++) {
          int32_t sum = 0;
          if (words && (c & 3) == 0) {
            uint32_t s02 = 0, s13 = 0; /* lanes: channels c, c+2 and c+1, c+3 */
            const int8_t *row = first + c;
            for (int32_t fy = fy0; fy < fy1; fy++, row += row_step) {
              for (const int8_t *q = row, *const end = row + span; q < end; q += ch) {
                const uint32_t v4 = *(const mb_word *)(const void *)q ^ 0x80808080u;
                s02 += v4 & 0x00FF00FFu;
                s13 += (v4 >> 8) & 0x00FF00FFu;
              }
            }
            sums[0] = (int32_t)(s02 & 0xFFFFu) - 128 * count;
            sums[1] = (int32_t)(s13 & 0xFFFFu) - 128 * count;
            sums[2] = (int32_t)(s02 >> 16) - 128 * count;
            sums[3] = (int32_t)(s13 >> 16) - 128 * count;
          }
          if (words) {
            sum = sums[c & 3];
          } else {
            const int8_t *row = first + c;
            for (int32_t fy = fy0; fy < fy1; fy++, row += row_step) {
              for (const int8_t *q = row, *const end = row + span; q < end; q += ch) sum += *q;
            }
          }
          int32_t v = 0;
          if (count > 0) v = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          v = v < act_min ? act_min : v;
          v = v > act_max ? act_max : v;
          out[c] = (int8_t)v;
        }
      }
    }
  }
}
