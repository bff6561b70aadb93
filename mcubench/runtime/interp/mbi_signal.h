/* What the interpreter files of TFLite Micro's custom operators (its signal library,
 * CIRCULAR_BUFFER, DETECTION_POSTPROCESS) share: their positional options and tensor checks
 * (mbi_signal.c). */
#ifndef MBI_SIGNAL_H
#define MBI_SIGNAL_H

#include "mb_signal.h"
#include "mbi.h"

/* The custom options TFLite Micro reads by position: exactly these `n` keys (alphabetical, as the
 * kernels index them), each read as the raw integer of its slot into values[k]. */
int mbi_signal_options(const mbi_ctx *ctx, const char *const *keys, uint32_t n, int32_t *values);

/* Tensor t if it is usable and of `type`, a constant or not (TFLite Micro takes either); and of
 * `rank` unless that is negative; else 0. */
const mbi_tensor *mbi_signal_tensor(const mbi_ctx *ctx, int32_t t, uint8_t type, int rank);

/* Elements of a tensor. */
static inline int32_t mbi_signal_count(const mbi_tensor *t) {
  return (int32_t)(mbi_bytes(t) / mbi_type_bytes(t->type));
}

/* RFFT / IRFFT (mbi_fft.c): the shared prepare and eval; cos and sin of x, correctly rounded; a
 * twiddle (cos and sin of phase) rounded to the type (MBI_TYPE_*) into table[2i], table[2i + 1]. */
int mbi_fft_prepare(mbi_ctx *ctx, mbi_op *op, int inverse);
int mbi_fft_eval(const mbi_ctx *ctx, const mbi_op *op);
void mbi_cos_sin(double x, double *c, double *s);
void mbi_twiddle(double phase, uint8_t type, void *table, uint32_t i);

/* Input k / output k of an operator, any number of them. */
#define MBI_IN(ctx, op, k) mbi_op_input(ctx, op, k)
#define MBI_OUT(ctx, op, k) mbi_op_output(ctx, op, k)

#endif
