/* int8 ADD (equal shapes): results identical to mb_add_s8.
 *
 * Each input's rescaling (offset, shift left by left_shift, requantize) depends only on its int8
 * value, so the kernel first tabulates it for all 256 values of both inputs (in scratch, 2 KB, from
 * the same mb_requantize the reference uses), then per element: two table lookups, the sum, and the
 * output requantization on the fast exact path (mb_out_s8). */
#include <stdint.h>

#include "mb_kernels_opt.h"

static void rescale_table(int32_t *t, int32_t offset, int32_t left_shift, const mb_requant *rq) {
  for (int32_t v = -128; v < 128; v++) {
    t[v + 128] = mb_requantize((v + offset) * (1 << left_shift), rq->mult, rq->shift);
  }
}

/* Few elements (no scratch given): the tables would cost more than they save, so each input is
 * rescaled per element as in the reference; only the output takes the fast path. */
static void add_direct(const mb_add_opt_params *p, int32_t size, const int8_t *in1,
                       const int8_t *in2, int8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    const int32_t s1 = mb_requantize((in1[i] + p->input1_offset) * (1 << p->left_shift),
                                     p->input1.mult, p->input1.shift);
    const int32_t s2 = mb_requantize((in2[i] + p->input2_offset) * (1 << p->left_shift),
                                     p->input2.mult, p->input2.shift);
    out[i] = mb_out_s8(s1 + s2, p->output_mult, p->output_shift, p->relu, p->output_offset,
                       p->act_min, p->act_max);
  }
}

void mb_add_s8_opt(const mb_add_opt_params *p, int32_t size, const int8_t *in1, const int8_t *in2,
                   int8_t *out) {
  if (!p->scratch) {
    add_direct(p, size, in1, in2, out);
    return;
  }
  int32_t *const t1 = p->scratch, *const t2 = p->scratch + 256;
  rescale_table(t1, p->input1_offset, p->left_shift, &p->input1);
  rescale_table(t2, p->input2_offset, p->left_shift, &p->input2);
  const int32_t *const s1 = t1 + 128, *const s2 = t2 + 128; /* indexed by the int8 value */
  const int32_t mult = p->output_mult, shift = p->output_shift;
  const int32_t zp = p->output_offset, act_min = p->act_min, act_max = p->act_max;
  if (p->relu) {
    for (int32_t i = 0; i < size; i++) {
      out[i] = mb_out_s8(s1[in1[i]] + s2[in2[i]], mult, shift, 1, zp, act_min, act_max);
    }
  } else {
    for (int32_t i = 0; i < size; i++) {
      out[i] = mb_out_s8(s1[in1[i]] + s2[in2[i]], mult, shift, 0, zp, act_min, act_max);
    }
  }
}
