/* float32 2-D convolution (TFLite reference_ops::Conv, float): per output the sum over filter y,
 * filter x, input channel in float, plus the bias, then the activation clamp. Filter OHWI; fewer
 * filter than input channels: grouped convolution. Padding contributes nothing. */
#include <stdint.h>

#include "mb_kernels_f32.h"

void mb_conv2d_f32(const mb_conv2d_f32_params *p, const mb_dims *in_dims, const float *in,
                   const mb_dims *filter_dims, const float *filter, const float *bias,
                   const mb_dims *out_dims, float *out) {
  const int32_t in_h = in_dims->h, in_w = in_dims->w, in_c = in_dims->c;
  const int32_t f_h = filter_dims->h, f_w = filter_dims->w, f_c = filter_dims->c;
  const int32_t out_h = out_dims->h, out_w = out_dims->w, out_c = out_dims->c;
  const int32_t groups = in_c / f_c;
  const int32_t filters_per_group = out_c / groups;

  for (int32_t b = 0; b < out_dims->n; b++) {
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (int32_t ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        for (int32_t oc = 0; oc < out_c; oc++) {
          const int32_t ic0 = (oc / filters_per_group) * f_c;
          float total = 0.0f;
          for (int32_t fy = 0; fy < f_h; fy++) {
            const int32_t iy = iy0 + p->dilation_h * fy;
            if (iy < 0 || iy >= in_h) continue;
            for (int32_t fx = 0; fx < f_w; fx++) {
              const int32_t ix = ix0 + p->dilation_w * fx;
              if (ix < 0 || ix >= in_w) continue;
              const float *ip = in + ((b * in_h + iy) * in_w + ix) * in_c + ic0;
              const float *fp = filter + ((oc * f_h + fy) * f_w + fx) * f_c;
              for (int32_t ic = 0; ic < f_c; ic++) total += ip[ic] * fp[ic];
            }
          }
          float v = total + (bias ? bias[oc] : 0.0f);
          v = v < p->act_min ? p->act_min : v;
          v = v > p->act_max ? p->act_max : v;
          out[((b * out_h + oy) * out_w + ox) * out_c + oc] = v;
        }
      }
    }
  }
}
