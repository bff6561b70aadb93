/* float32 average pooling (TFLite reference_ops::AveragePool, float): the window is clipped to the
 * input, so padding never counts; the sum in float divided by the in-bounds count, then the
 * activation clamp. */
#include <stdint.h>

#include "mb_kernels_f32.h"

void mb_avg_pool_f32(const mb_pool_f32_params *p, const mb_dims *in_dims, const float *in,
                     const mb_dims *out_dims, float *out) {
  const int32_t in_h = in_dims->h, in_w = in_dims->w, ch = in_dims->c;
  const int32_t out_h = out_dims->h, out_w = out_dims->w;

  for (int32_t b = 0; b < out_dims->n; b++) {
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      const int32_t fy_start = iy0 < 0 ? -iy0 : 0;
      const int32_t fy_end = in_h - iy0 < p->filter_h ? in_h - iy0 : p->filter_h;
      for (int32_t ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const int32_t fx_start = ix0 < 0 ? -ix0 : 0;
        const int32_t fx_end = in_w - ix0 < p->filter_w ? in_w - ix0 : p->filter_w;
        for (int32_t c = 0; c < ch; c++) {
          float total = 0.0f, count = 0.0f;
          for (int32_t fy = fy_start; fy < fy_end; fy++) {
            for (int32_t fx = fx_start; fx < fx_end; fx++) {
              total += in[((b * in_h + iy0 + fy) * in_w + ix0 + fx) * ch + c];
              count += 1.0f;
            }
          }
          /* An all-padding window cannot occur with SAME/VALID geometry; guard the division. */
          float v = count > 0.0f ? total / count : 0.0f;
          v = v < p->act_min ? p->act_min : v;
          v = v > p->act_max ? p->act_max : v;
          out[((b * out_h + oy) * out_w + ox) * ch + c] = v;
        }
      }
    }
  }
}
