/* mcubench optimized int8 kernels (runtime/kernels/opt/): bit-exact with the reference kernels
 * (runtime/kernels/, TFLite Micro semantics), faster on 32-bit cores without SIMD.
 *
 * What the backend prepares offline (mcubench/ir/fold.py) so the loops do less:
 * - the input offset is folded into the bias: bias' = bias + input_offset * sum(filter taps of the
 *   channel). The loops multiply raw int8 inputs; a padded position reads the input zero point, so
 *   it still contributes nothing.
 * - filters are reordered so one pointer walks them: conv/FC weights of 8 (then 4, then 1) output
 *   channels interleaved per input position, depthwise taps contiguous per channel.
 * - requantization takes the fast path below, valid when every channel shifts right (the backend
 *   keeps the reference kernel for an op where that does not hold).
 * Kernels that need scratch memory (im2col columns, padded rows, tables) get it from the arena:
 * the backend plans the size documented at each params struct. The backend also lets an output
 * overlap the input it consumes as far as the kernel's order of reads and writes allows (fold.py
 * derives it; a change of loop order here must be mirrored there).
 */
#ifndef MB_KERNELS_OPT_H
#define MB_KERNELS_OPT_H

#include <stdint.h>

#include "mb_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Word access to int8 data (copies, 4-lane sums): declared may_alias, so the compiler does not
 * assume int8 and uint32 accesses to the same bytes are unrelated. */
#if defined(__GNUC__)
typedef uint32_t __attribute__((may_alias)) mb_word;
#else
typedef uint32_t mb_word;
#endif

/* SIMD code paths, chosen at compile time by the features `dsp` and `vext` (mcubench/features/
 * simd.py), bit-exact with the scalar loops: the products are the same integers, summed in int32.
 * MB_SIMD_DSP: Arm's DSP extension (Cortex-M4/M7/M33/M55), two 16 x 16 multiply-adds per SMLAD.
 * MB_SIMD_VEXT: RISC-V V (RVV 1.0 intrinsics, clang): int8 x int8 widening multiplies into int16,
 * summed (vwredsum) or added (vwadd) into int32. */
#if defined(MB_SIMD_DSP)
#if !defined(__ARM_FEATURE_DSP)
#error "feature dsp needs a core with the Arm DSP extension (cortex-m4/m7/m33/m55 with dsp on); \
this target has none"
#endif
#include <arm_acle.h>
/* An unaligned word of int8 data (LDR allows it on these cores). */
static inline uint32_t mb_ldw(const int8_t *p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}
/* Bytes 1 and 3 sign-extended to halfwords: SXTB16 with ROR #8 (one instruction; gcc 12 makes two
 * of __sxtb16(ror)). Halfwords (lo of a, lo of b) and (hi of a, hi of b): PKHBT / PKHTB, which
 * gcc 12's <arm_acle.h> lacks and its combiner does not form from shifts and masks. */
static inline uint32_t mb_sxtb16_ror8(uint32_t v) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
static inline uint32_t mb_pk_lo(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
static inline uint32_t mb_pk_hi(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
#endif
#if defined(MB_SIMD_VEXT)
#if !defined(__riscv_vector) || (defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13)
#error "feature vext needs a RISC-V core with the V extension and clang (spike.arch=rv32gcv, \
spike.toolchain=llvm); this target has none"
#endif
#include <riscv_vector.h>
#endif

/* TFLite's MultiplyByQuantizedMultiplier(acc, mult, -e) for a right shift e >= 1, exactly.
 * `mult2` is 2 * mult (as uint32: mult < 2^31), `shift` is e - 1.
 *
 * TFLite rounds twice: x = SaturatingRoundingDoublingHighMul(acc, mult), then
 * RoundingDivideByPOT(x, e) = floor((x + 2^(e-1) - [x < 0]) / 2^e). For mult < 2^31 the first
 * step never saturates and equals floor((acc * mult + 2^30) / 2^31) (gemmlowp's nudge of
 * 1 - 2^30 for negative products makes its truncating division a floor): that is the high word of
 * acc * mult2 plus the top bit of its low word, a mul and a mulhsu on RV32. The second step:
 * floor((x' + 2^(e-1)) / 2^e) with x' = x - [x < 0] is ((x' >> (e-1)) + 1) >> 1, as floors of
 * floors compose (floor((floor(a) + c) / m) = floor((a + c) / m) for integers c, m > 0); the
 * output offset joins the last step: ((t + 1) >> 1) + zp = (t + 1 + 2 zp) >> 1. When negative
 * results all clamp to the same value (relu), [x < 0] may be dropped: the result still stays <= 0
 * for x < 0, as the exact one does. */
static inline int32_t mb_doubling_high_mul_fast(int32_t acc, uint32_t mult2) {
  const int64_t p = (int64_t)acc * (int64_t)mult2;
  return (int32_t)(p >> 32) + (int32_t)((uint32_t)p >> 31);
}

static inline int32_t mb_requant_fast(int32_t acc, int32_t mult2, int32_t shift,
                                      int32_t relu) {
  int32_t x = mb_doubling_high_mul_fast(acc, (uint32_t)mult2);
  if (!relu) x += x >> 31; /* x - [x < 0] */
  return ((x >> shift) + 1) >> 1;
}

/* The output stage: requantize with the output offset folded in, clamp. Returns int32 (stored as
 * int8 by the caller): an int8 result would be kept sign-extended in a register. The clamp tests
 * the range with one unsigned compare: two instructions for a value inside it. */
static inline int32_t mb_out_s8(int32_t acc, int32_t mult2, int32_t shift, int32_t relu,
                                int32_t zp, int32_t act_min, int32_t act_max) {
  int32_t x = mb_doubling_high_mul_fast(acc, (uint32_t)mult2);
  if (!relu) x += x >> 31;
  int32_t v = ((x >> shift) + (1 + 2 * zp)) >> 1;
  if ((uint32_t)(v - act_min) > (uint32_t)(act_max - act_min)) v = v < act_min ? act_min : act_max;
  return v;
}

/* Kernels copy the fields of their mb_requant_opt into locals before their loops: int8 stores may
 * alias the struct, so reading it through the pointer would reload it after every store. */

/* How the GEMM reads an input row of k = len * segs values: `segs` runs of `len` bytes, run s at
 * row + s * stride (a plain row: segs 1). */
typedef struct {
  int32_t len, segs, stride;
} mb_gemm_rows;

/* The GEMM every conv and FC runs on: one or two input rows a0, a1 (a1 may be 0) times n output
 * channels, requantized into y0 (and y1), channel block by channel block. A call reads only its
 * own rows and writes only its own outputs (the planner's overlap relies on that order). Weights
 * `w` come packed: full blocks of 8 channels as [k][8], then a block of 4 if 4 or more remain as
 * [k][4], then single channels [k]. */
void mb_gemm_s8_opt(const mb_requant_opt *rq, const mb_gemm_rows *rows, int32_t n,
                    const int8_t *a0, const int8_t *a1, const int8_t *w, int8_t *y0, int8_t *y1);
/* The same for exactly two rows (a1 != 0; a1 == a0 with y1 == y0 for a single one): links less
 * code where nothing needs the one-row case. */
void mb_gemm2_s8_opt(const mb_requant_opt *rq, const mb_gemm_rows *rows, int32_t n,
                     const int8_t *a0, const int8_t *a1, const int8_t *w, int8_t *y0, int8_t *y1);

/* CONV_2D without groups; `filter` packed for mb_gemm_s8_opt with k = filter_h * filter_w * in_c in
 * (fy, fx, ic) order. */
void mb_conv2d_s8_opt(const mb_conv2d_opt_params *p, const mb_dims *in_dims, const int8_t *in,
                      const mb_dims *filter_dims, const int8_t *filter, const mb_dims *out_dims,
                      int8_t *out);

/* One output pixel's receptive field as an im2col column of filter_h * filter_w * in_c bytes in
 * (fy, fx, ic) order, padded positions holding the input zero point. in_b: the batch's input. */
void mb_im2col_s8(const mb_conv2d_opt_params *p, const mb_dims *in_dims, const int8_t *in_b,
                  int32_t f_h, int32_t f_w, int32_t oy, int32_t ox, int8_t *col);

/* DEPTHWISE_CONV_2D, 3x3 filter, depth multiplier 1, no dilation; `filter` as [channel][9]. */
void mb_depthwise_conv2d_s8_opt(const mb_depthwise_conv2d_opt_params *p, const mb_dims *in_dims,
                                const int8_t *in, const int8_t *filter, const mb_dims *out_dims,
                                int8_t *out);

/* One output row, all channels, from the three padded input rows r (stride sw). */
typedef void mb_dw_rows_fn(const int8_t *const r[3], const int8_t *filter, int8_t *out_row,
                           int32_t n, int32_t ch, const mb_requant_opt *rq, int32_t sw);
/* The cases: stride 1 or 2 with or without relu (mb_requant_opt.relu), any. */
mb_dw_rows_fn mb_dw_rows_s1_relu, mb_dw_rows_s1, mb_dw_rows_s2_relu, mb_dw_rows_s2, mb_dw_rows_any;

/* The same on the row function of the op's case (the backend names it: only the cases a model
 * has are linked; mb_depthwise_conv2d_s8_opt refers to all of them). */
void mb_depthwise_conv2d_s8_opt_rows(const mb_depthwise_conv2d_opt_params *p,
                                     const mb_dims *in_dims, const int8_t *in,
                                     const int8_t *filter, const mb_dims *out_dims, int8_t *out,
                                     mb_dw_rows_fn *rows);

/* FULLY_CONNECTED: batches x in_features -> batches x out_units, filter packed for the GEMM. */
void mb_fully_connected_s8_opt(const mb_requant_opt *rq, int32_t batches, int32_t in_features,
                               const int8_t *in, int32_t out_units, const int8_t *filter,
                               int8_t *out);

/* The same with `filter` in the model's order [out_units][in_features]: one plain loop, for small
 * layers (little code, no GEMM linked). */
void mb_fully_connected_s8_small(const mb_requant_opt *rq, int32_t batches, int32_t in_features,
                                 const int8_t *in, int32_t out_units, const int8_t *filter,
                                 int8_t *out);

/* AVERAGE_POOL_2D with the reference kernel's params (mb_pool_params). */
void mb_avg_pool_s8_opt(const mb_pool_params *p, const mb_dims *in_dims, const int8_t *in,
                        const mb_dims *out_dims, int8_t *out);

/* ADD of two int8 tensors of equal size. Elements are independent: out may be in1 or in2. */
void mb_add_s8_opt(const mb_add_opt_params *p, int32_t size, const int8_t *in1, const int8_t *in2,
                   int8_t *out);

#ifdef __cplusplus
}
#endif
#endif
