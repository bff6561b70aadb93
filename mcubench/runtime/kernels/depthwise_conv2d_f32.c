/* float32 depthwise convolution (TFLite reference_ops::DepthwiseConv, float): per output the sum
 * over filter y, filter x in float, plus the bias, then the activation clamp. Filter 1HW(C*M):
 * output channel ic * M + m reads input channel ic. */
#include <stdint.h>

#include "mb_kernels_f32.h"

void mb_depthwise_conv2d_f32(const mb_depthwise_conv2d_f32_params *p, const mb_dims *in_dims,
                             const float *in, const mb_dims *filter_dims, const float *filter,
                             const float *bias, const mb_dims *out_dims, float *out) {
  const int32_t in_h = in_dims->h, in_w = in_dims->w, in_c = in_dims->c;
  const int32_t f_h = filter_dims->h, f_w = filter_dims->w;
  const int32_t out_h = out_dims->h, out_w = out_dims->w, out_c = out_dims->c;
  const int32_t mult = p->depth_multiplier;

  for (int32_t b = 0; b < out_dims->n; b++) {
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (int32_t ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        for (int32_t ic = 0; ic < in_c; ic++) {
          for (int32_t m = 0; m < mult; m++) {
            const int32_t oc = ic * mult + m;
            float total = 0.0f;
            for (int32_t fy = 0; fy < f_h; fy++) {
              const int32_t iy = iy0 + p->dilation_h * fy;
              if (iy < 0 || iy >= in_h) continue;
              for (int32_t fx = 0; fx < f_w; fx++) {
                const int32_t ix = ix0 + p->dilation_w * fx;
                if (ix < 0 || ix >= in_w) continue;
                total += in[((b * in_h + iy) * in_w + ix) * in_c + ic] *
                         filter[(fy * f_w + fx) * out_c + oc];
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
}
