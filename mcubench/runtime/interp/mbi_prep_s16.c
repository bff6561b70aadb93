/* Preparation shared by the int16 operators (16x8 quantization): the int16 activation range and
 * the checks TFLite's int16 kernels rely on. Same arithmetic as ir/quant.py's PREPARE_S16. */
#include "mbi_s16.h"

/* round_half_away(f / scale), the division in float32 as TFLite does it, saturated to int16. */
static int32_t quantize16(float f, float scale) {
  double v = (double)(f / scale);
  if (v > 32767.0) return 32767;
  if (v < -32768.0) return -32768;
  int32_t r = (int32_t)(v < 0 ? -v + 0.5 : v + 0.5);
  return v < 0 ? -r : r;
}

int mbi_activation_range_s16(uint32_t fused, float scale, int32_t *act_min, int32_t *act_max) {
  int32_t lo = -32768, hi = 32767;
  switch (fused) {
  case 0: break; /* NONE */
  case 1: lo = quantize16(0.0f, scale); break; /* RELU */
  case 2: lo = quantize16(-1.0f, scale), hi = quantize16(1.0f, scale); break; /* RELU_N1_TO_1 */
  case 3: lo = quantize16(0.0f, scale), hi = quantize16(6.0f, scale); break; /* RELU6 */
  default: return MBI_ERR_PARAMS; /* TANH, SIGN_BIT: not a clamp */
  }
  *act_min = lo;
  *act_max = hi;
  return MBI_OK;
}

int mbi_check_s16(const mbi_ctx *ctx, int32_t in_zp, int32_t out_zp, int acc64, uint32_t requant,
                  uint32_t n) {
  if (in_zp != 0 || out_zp != 0) return MBI_ERR_TENSOR;
  const mb_requant *rq = (const mb_requant *)mbi_record(ctx, requant);
  for (uint32_t k = 0; acc64 && k < n; k++)
    if (rq[k].shift > 14) return MBI_ERR_PARAMS; /* a multiplier >= 2^14 */
  return MBI_OK;
}
