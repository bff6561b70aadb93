/* mcubench interpreter: int16 activations with int8 weights (TFLite's 16x8 quantization), the
 * preparation the int16 operators share (mbi_prep_s16.c) and the int16 softmax tables
 * (mbi_lut_s16.c). The kernels are those of mb_kernels_s16.h. */
#ifndef MBI_S16_H
#define MBI_S16_H

#include <stdint.h>

#include "mb_kernels_s16.h"
#include "mbi.h"

/* CalculateActivationRangeQuantized over int16 (zero point 0); MBI_ERR_PARAMS for an activation
 * that is no clamp. */
int mbi_activation_range_s16(uint32_t fused, float scale, int32_t *act_min, int32_t *act_max);
/* The int16 operator's own conditions, after mbi_prepare_requant: zero points 0 (16x8 is
 * symmetric) and, on the int64-accumulator path, shifts mb_requantize64 can take (<= 14). */
int mbi_check_s16(const mbi_ctx *ctx, int32_t in_zp, int32_t out_zp, int acc64, uint32_t requant,
                  uint32_t n);
/* TFLite Micro's int16 softmax tables (MB_SOFTMAX_S16_LUT entries each), bit for bit. */
void mbi_softmax_s16_luts(int16_t *exp_lut, int16_t *one_over_one_plus_x_lut);

#endif
