/* int8 2-D convolution, per-output-channel requantization (TFLite Micro ConvPerChannel semantics).
 * Filter layout OHWI; when the filter has fewer input channels than the input, the input channels
 * are split into equal groups (grouped convolution), as TFLite does. */
#include <stdint.h>

#include "mb_kernels.h"

void mb_conv2d_s8(const mb_conv2d_params *p, const mb_dims *in_dims, const int8_t *in,
                  const mb_dims *filter_dims, const int8_t *filter, const int32_t *bias,
                  const mb_dims *out_dims, int8_t *out) {
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
          int32_t acc = 0;
          for (int32_t fy = 0; fy < f_h; fy++) {
            const int32_t iy = iy0 + p->dilation_h * fy;
            if (iy < 0 || iy >= in_h) continue; /* padding contributes zero (after the offset) */
            for (int32_t fx = 0; fx < f_w; fx++) {
              const int32_t ix = ix0 + p->dilation_w * fx;
              if (ix < 0 || ix >= in_w) continue;
              const int8_t *ip = in + ((b * in_h + iy) * in_w + ix) * in_c + ic0;
              const int8_t *fp = filter + ((oc * f_h + fy) * f_w + fx) * f_c;
              for (int32_t ic = 0; ic < f_c; ic++) {
                acc += ((int32_t)ip[ic] + p->input_offset) * (int32_t)fp[ic];
              }
            }
          }
          if (bias) acc += bias[oc];
          acc = mb_requantize(acc, p->requant[oc].mult, p->requant[oc].shift);
          acc += p->output_offset;
          acc = acc < p->act_min ? p->act_min : acc;
          acc = acc > p->act_max ? p->act_max : acc;
          out[((b * out_h + oy) * out_w + ox) * out_c + oc] = (int8_t)acc;
        }
      }
    }
  }
}
