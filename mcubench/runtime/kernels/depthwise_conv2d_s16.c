/* int16 depthwise convolution with int8 filters, per-output-channel requantization (TFLite Micro
 * DepthwiseConvPerChannel for int16: always an int64 accumulator and bias). Filter layout
 * 1HW(C*M): output channel ic * M + m reads input channel ic. */
#include <stdint.h>

#include "mb_kernels_s16.h"

void mb_depthwise_conv2d_s16(const mb_depthwise_conv2d_s16_params *p, const mb_dims *in_dims,
                             const int16_t *in, const mb_dims *filter_dims, const int8_t *filter,
                             const int64_t *bias, const mb_dims *out_dims, int16_t *out) {
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
            int64_t acc = 0;
            for (int32_t fy = 0; fy < f_h; fy++) {
              const int32_t iy = iy0 + p->dilation_h * fy;
              if (iy < 0 || iy >= in_h) continue;
              for (int32_t fx = 0; fx < f_w; fx++) {
                const int32_t ix = ix0 + p->dilation_w * fx;
                if (ix < 0 || ix >= in_w) continue;
                const int32_t x = in[((b * in_h + iy) * in_w + ix) * in_c + ic];
                acc += x * (int32_t)filter[(fy * f_w + fx) * out_c + oc];
              }
            }
            if (bias) acc += bias[oc];
            int32_t y = mb_requantize64(acc, p->requant[oc].mult, p->requant[oc].shift);
            y = y < p->act_min ? p->act_min : y;
            y = y > p->act_max ? p->act_max : y;
            out[((b * out_h + oy) * out_w + ox) * out_c + oc] = (int16_t)y;
          }
        }
      }
    }
  }
}
