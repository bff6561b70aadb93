/* The interpreter's optimized operators (interp.kernels=opt): the kernels of runtime/kernels/opt/
 * (same arithmetic as the aot backend's opt path) with parameters computed at setup, in C, from
 * the model in flash.
 *
 * What aot's ir/fold.py does offline happens here in each prepare function: the fast exact
 * requantization (2 x mult, e - 1, mb_out_s8) and the bias with the input offset folded in, one
 * entry per output channel, as records in the arena. The filters stay where they are: in the model,
 * OHWI (conv, fully connected: one contiguous row of k taps per output channel) or 1HWC
 * (depthwise). The conv and fully connected GEMM (mbi_gemm_tpl.h) reads that layout directly; with
 * k a compile-time constant (the backend compiles an instance per depth of the model, listed in
 * the generated mbi_gemm_kernels table) the four channels of a register block are one pointer plus
 * immediate offsets, as the packed weights are for the aot kernels.
 *
 * Scratch memory (im2col columns, depthwise rows and taps, ADD's tables) is the arena between the
 * activations and the records: the backend adds the largest operator's scratch to the arena, and an
 * eval whose scratch does not fit returns MBI_ERR_ARENA.
 *
 * An operator the optimized kernels do not cover (another type, grouped conv, a depthwise filter
 * other than 3x3, a multiplier that does not shift right, ...) hands its setup to the next
 * registration of the same operator code (the reference one, listed right after it):
 * mbi_opt_fallback. backends/interp_opt.py makes the same decisions offline for the arena. */
#ifndef MBI_OPT_H
#define MBI_OPT_H

#include "mb_kernels_opt.h"
#include "mbi.h"

/* Returned by mbi_opt_requant when some channel's multiplier does not shift right. */
#define MBI_OPT_SLOW (-1)

/* One GEMM instance: y[p][c] = requantized sum_i a[p * k + i] * w[c * k + i] for p < pixels,
 * c < n (pixel rows and filter rows k bytes each, y rows n bytes). */
typedef void (*mbi_gemm_fn)(const mb_requant_opt *rq, int32_t k, int32_t pixels, int32_t n,
                            const int8_t *a, const int8_t *w, int8_t *y);
typedef struct {
  int32_t k;
  mbi_gemm_fn fn;
} mbi_gemm_kernel;
/* Generated per model (interp_gemm.c): the instances compiled for its depths. */
extern const mbi_gemm_kernel mbi_gemm_kernels[];
extern const uint32_t mbi_num_gemm_kernels;
/* The instance for any k (mbi_gemm_opt.c). */
void mbi_gemm_any(const mb_requant_opt *rq, int32_t k, int32_t pixels, int32_t n, const int8_t *a,
                  const int8_t *w, int8_t *y);

/* mbi_prep_opt.c */
/* Hand the operator to the next registration with its code (the reference one); MBI_ERR_OP if
 * none is linked. */
int mbi_opt_fallback(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options);
/* The fast requantization of n output channels (filter scales per channel or one for all):
 * MBI_OK, MBI_OPT_SLOW if a channel does not shift right, or an MBI_ERR_* code. With mult2 and
 * shift null it only checks. */
int mbi_opt_requant(mbi_ctx *ctx, int32_t input, int32_t filter, int32_t output, uint32_t n,
                    int32_t *mult2, int8_t *shift);
/* Allocate and fill the output stage of n channels: fast requantization, the bias with
 * input_offset * sum of each channel's k taps folded in (tap j of channel c at
 * taps[c * c_step + j * j_step]), relu and clamp from `fused`. */
int mbi_opt_output_stage(mbi_ctx *ctx, const mbi_op *op, uint32_t fused, uint32_t n,
                         const int8_t *taps, int32_t k, int32_t c_step, int32_t j_step,
                         int32_t input_offset, mbi_rq_opt_data *rq);
/* The GEMM instance for depth k (-1: mbi_gemm_any), and the function of an index. */
int32_t mbi_opt_gemm_index(int32_t k);
mbi_gemm_fn mbi_opt_gemm(int32_t index);
/* The kernels' view of an output stage record (pointers into the arena). */
mb_requant_opt mbi_opt_rq(const mbi_ctx *ctx, const mbi_rq_opt_data *d);
/* `bytes` of scratch just below the records, 0 if the activations leave no room for them. */
void *mbi_opt_scratch(const mbi_ctx *ctx, uint32_t bytes);

#endif
