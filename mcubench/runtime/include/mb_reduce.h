/* Reduction kernels (runtime/kernels/reduce.c, reduce_f32.c, reduce_minmax.c, reduce_all.c):
 * MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_ALL over any set of axes of a tensor of rank 1..6;
 * ARG_MAX and ARG_MIN (arg_min_max.c, arg_min_max_f32.c) along one axis.
 *
 * The axes are prepared into (kept, reduced) pairs of runs (mcubench/ops/common/reduce.py, and
 * the interpreter's setup): the input is outer[0] x inner[0] x outer[1] x inner[1] x .. in memory
 * order. Outputs come in order over the outer extents (keep_dims does not change the bytes); each
 * output takes its inputs in memory order, as TFLite Micro's Reduce does, so float sums and the
 * choice between equal extremes are the same as its.
 *
 * Integer MEAN and SUM are bit-exact with TFLite Micro's QuantizedMeanOrSum: the int32 sum
 * (wrapping, as TFLite adds "with expected overflow") minus count x input zero point, requantized
 * (for MEAN with 1/count folded into the multiplier), plus the output zero point, clamped.
 */
#ifndef MB_REDUCE_H
#define MB_REDUCE_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

void mb_reduce_sum_s8(const mb_reduce_params *p, const int8_t *in, int8_t *out);
void mb_reduce_sum_s16(const mb_reduce_params *p, const int16_t *in, int16_t *out);
void mb_reduce_sum_f32(const mb_reduce_params *p, const float *in, float *out);
/* The float sum divided by the count (MEAN). */
void mb_reduce_mean_f32(const mb_reduce_params *p, const float *in, float *out);
void mb_reduce_max_s8(const mb_reduce_params *p, const int8_t *in, int8_t *out);
void mb_reduce_min_s8(const mb_reduce_params *p, const int8_t *in, int8_t *out);
void mb_reduce_max_f32(const mb_reduce_params *p, const float *in, float *out);
void mb_reduce_min_f32(const mb_reduce_params *p, const float *in, float *out);
/* Logical AND; a bool is one byte, 0 or 1. */
void mb_reduce_all_bool(const mb_reduce_params *p, const uint8_t *in, uint8_t *out);

/* ARG_MAX / ARG_MIN along one axis (input outer x extent x inner): the index of the first
 * strictly greater (less) value, TFLite Micro's ArgMinMax with its `>` (`<`) comparison. */
void mb_arg_max_s8(const mb_arg_params *p, const int8_t *in, int32_t *out);
void mb_arg_min_s8(const mb_arg_params *p, const int8_t *in, int32_t *out);
void mb_arg_max_f32(const mb_arg_params *p, const float *in, int32_t *out);
void mb_arg_min_f32(const mb_arg_params *p, const float *in, int32_t *out);

/* The loop nest every reduction kernel runs: for each output k (ACC acc = INIT), each of its
 * inputs v in memory order (STEP, reading v), then DONE (writing out[k] from acc). */
#define MB_REDUCE_LOOP(p, T, ACC, INIT, STEP, DONE)                                              \
  {                                                                                               \
    const int32_t *o_ = (p)->outer, *r_ = (p)->inner;                                             \
    const int32_t t3_ = r_[3], u2_ = o_[3] * t3_, t2_ = r_[2] * u2_, u1_ = o_[2] * t2_;           \
    const int32_t t1_ = r_[1] * u1_, u0_ = o_[1] * t1_, t0_ = r_[0] * u0_;                        \
    int32_t k = 0;                                                                                \
    for (int32_t a0 = 0; a0 < o_[0]; a0++)                                                        \
      for (int32_t a1 = 0; a1 < o_[1]; a1++)                                                      \
        for (int32_t a2 = 0; a2 < o_[2]; a2++)                                                    \
          for (int32_t a3 = 0; a3 < o_[3]; a3++, k++) {                                           \
            const T *base_ = in + a0 * t0_ + a1 * t1_ + a2 * t2_ + a3 * t3_;                      \
            ACC acc = INIT;                                                                       \
            for (int32_t b0 = 0; b0 < r_[0]; b0++)                                                \
              for (int32_t b1 = 0; b1 < r_[1]; b1++)                                              \
                for (int32_t b2 = 0; b2 < r_[2]; b2++) {                                          \
                  const T *row_ = base_ + b0 * u0_ + b1 * u1_ + b2 * u2_;                         \
                  for (int32_t b3 = 0; b3 < r_[3]; b3++) {                                        \
                    const T v = row_[b3];                                                         \
                    STEP;                                                                         \
                  }                                                                               \
                }                                                                                 \
            DONE;                                                                                 \
          }                                                                                       \
  }

/* The loop of the ARG_MAX / ARG_MIN kernels: per output, the index of the best value along the
 * axis, BETTER (an expression of v and best) deciding. */
#define MB_ARG_LOOP(T, BETTER)                                                                   \
  const int32_t extent = p->extent, inner = p->inner;                                             \
  for (int32_t o = 0; o < p->outer; o++)                                                          \
    for (int32_t i = 0; i < inner; i++) {                                                         \
      const T *x = in + o * extent * inner + i;                                                   \
      T best = x[0];                                                                              \
      int32_t index = 0;                                                                          \
      for (int32_t a = 1; a < extent; a++) {                                                      \
        const T v = x[a * inner];                                                                 \
        if (BETTER) best = v, index = a;                                                          \
      }                                                                                           \
      out[o * inner + i] = index;                                                                 \
    }

#ifdef __cplusplus
}
#endif

#endif
