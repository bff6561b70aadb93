/* int16 2-D convolution with int8 filters, per-output-channel requantization (TFLite Micro
 * ConvPerChannel for int16). Filter layout OHWI, grouped when the filter has fewer input channels
 * than the input. Zero points are 0, so there are no offsets. */
#include <stdint.h>

#include "mb_kernels_s16.h"

void mb_conv2d_s16(const mb_conv2d_s16_params *p, const mb_dims *in_dims, const int16_t *in,
                   const mb_dims *filter_dims, const int8_t *filter, const void *bias,
                   const mb_dims *out_dims, int16_t *out) {
  const int32_t in_h = in_dims->h, in_w = in_dims->w, in_c = in_dims->c;
  const int32_t f_h = filter_dims->h, f_w = filter_dims->w, f_c = filter_dims->c;
  const int32_t out_h = out_dims->h, out_w = out_dims->w, out_c = out_dims->c;
  const int32_t filters_per_group = out_c / (in_c / f_c);
  const int64_t *bias64 = (const int64_t *)bias;
  const int32_t *bias32 = (const int32_t *)bias;

  for (int32_t b = 0; b < out_dims->n; b++) {
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (int32_t ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        for (int32_t oc = 0; oc < out_c; oc++) {
          const int32_t ic0 = (oc / filters_per_group) * f_c;
          int64_t acc = 0;
          for (int32_t fy = 0; fy < f_h; fy++) {
            const int32_t iy = iy0 + p->dilation_h * fy;
            if (iy < 0 || iy >= in_h) continue; /* padding contributes zero */
            for (int32_t fx = 0; fx < f_w; fx++) {
              const int32_t ix = ix0 + p->dilation_w * fx;
              if (ix < 0 || ix >= in_w) continue;
              const int16_t *ip = in + ((b * in_h + iy) * in_w + ix) * in_c + ic0;
              const int8_t *fp = filter + ((oc * f_h + fy) * f_w + fx) * f_c;
              for (int32_t ic = 0; ic < f_c; ic++) acc += (int32_t)ip[ic] * (int32_t)fp[ic];
            }
          }
          int32_t y;
          if (p->acc64) {
            if (bias) acc += bias64[oc];
            y = mb_requantize64(acc, p->requant[oc].mult, p->requant[oc].shift);
          } else { /* TFLite's int32 accumulator: the same sum, wrapped to 32 bits */
            uint32_t acc32 = (uint32_t)acc + (bias ? (uint32_t)bias32[oc] : 0u);
            y = mb_requantize((int32_t)acc32, p->requant[oc].mult, p->requant[oc].shift);
          }
          y = y < p->act_min ? p->act_min : y;
          y = y > p->act_max ? p->act_max : y;
          out[((b * out_h + oy) * out_w + ox) * out_c + oc] = (int16_t)y;
        }
      }
    }
  }
}
