/* Setup helpers of the optimized operators (mbi_opt.h): the fast requantization and the folded
 * bias computed from the model, as ir/fold.py computes them for the aot backend. */
#include "mbi_opt.h"

int mbi_opt_fallback(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options) {
  const int32_t code = ctx->regs[op->reg].code;
  for (uint32_t r = (uint32_t)op->reg + 1; r < ctx->num_regs; r++) {
    if (ctx->regs[r].code != code) continue;
    op->reg = (uint16_t)r;
    return ctx->regs[r].prepare(ctx, op, options_type, options);
  }
  return MBI_ERR_OP;
}

int mbi_opt_requant(mbi_ctx *ctx, int32_t input, int32_t filter, int32_t output, uint32_t n,
                    int32_t *mult2, int8_t *shift) {
  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  mbi_vec scales;
  int rc = mbi_quant(ctx, input, &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, output, &out_scale, &out_zp);
  if (rc == MBI_OK) rc = mbi_filter_scales(ctx, filter, &scales);
  if (rc != MBI_OK) return rc;
  if (scales.len != 1 && scales.len != n) return MBI_ERR_TENSOR;
  int32_t mult = 0, e = 0;
  for (uint32_t c = 0; c < n; c++) {
    if (c < scales.len) { /* one scale for all channels: computed once (double math is slow) */
      const float f = mbi_fb_vec_f32(&ctx->fb, &scales, c);
      if (!(f > 0.0f && f <= 3.0e38f)) return MBI_ERR_TENSOR;
      rc = mbi_quantize_multiplier((double)in_scale * (double)f / (double)out_scale, &mult, &e);
      if (rc != MBI_OK) return rc;
      if (mult != 0 && e > -1) return MBI_OPT_SLOW; /* mb_requant_fast needs a right shift */
    }
    if (mult2) {
      mult2[c] = (int32_t)(2u * (uint32_t)mult); /* as uint32 bits: mult < 2^31 */
      shift[c] = (int8_t)(mult == 0 ? 0 : -e - 1);
    }
  }
  return MBI_OK;
}

int mbi_opt_output_stage(mbi_ctx *ctx, const mbi_op *op, uint32_t fused, uint32_t n,
                         const int8_t *taps, int32_t k, int32_t c_step, int32_t j_step,
                         int32_t input_offset, mbi_rq_opt_data *rq) {
  float out_scale;
  int32_t out_zp;
  int32_t *bias = (int32_t *)mbi_alloc(ctx, n, 4);
  int32_t *mult2 = (int32_t *)mbi_alloc(ctx, n, 4);
  int8_t *shift = (int8_t *)mbi_alloc(ctx, n, 1);
  if (!bias || !mult2 || !shift) return MBI_ERR_ARENA;
  int rc = mbi_opt_requant(ctx, op->in[0], op->in[1], op->out, n, mult2, shift);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc == MBI_OK) rc = mbi_activation_range(fused, out_scale, out_zp, &rq->act_min, &rq->act_max);
  if (rc != MBI_OK) return rc;
  const int32_t *b = (const int32_t *)mbi_in_data(ctx, op->n_in > 2 ? op->in[2] : -1);
  for (uint32_t c = 0; c < n; c++) {
    /* int32 wrap-around, as the kernels' accumulators (and fold.wrap32) */
    uint32_t sum = 0;
    const int8_t *t = taps + (int32_t)c * c_step;
    for (int32_t j = 0; j < k; j++) sum += (uint32_t)(int32_t)t[j * j_step];
    bias[c] = (int32_t)((b ? (uint32_t)b[c] : 0u) + (uint32_t)input_offset * sum);
  }
  rq->bias = mbi_offset(ctx, bias);
  rq->mult = mbi_offset(ctx, mult2);
  rq->shift = mbi_offset(ctx, shift);
  rq->output_offset = out_zp;
  rq->relu = rq->act_min >= out_zp; /* every negative result clamps: mb_out_s8's short path */
  return MBI_OK;
}

int32_t mbi_opt_gemm_index(int32_t k) {
  for (uint32_t i = 0; i < mbi_num_gemm_kernels; i++)
    if (mbi_gemm_kernels[i].k == k) return (int32_t)i;
  return -1;
}

mbi_gemm_fn mbi_opt_gemm(int32_t index) {
  return index < 0 ? mbi_gemm_any : mbi_gemm_kernels[index].fn;
}

mb_requant_opt mbi_opt_rq(const mbi_ctx *ctx, const mbi_rq_opt_data *d) {
  mb_requant_opt rq;
  rq.bias = (const int32_t *)mbi_record(ctx, d->bias);
  rq.mult = (const int32_t *)mbi_record(ctx, d->mult);
  rq.shift = (const int8_t *)mbi_record(ctx, d->shift);
  rq.per_channel = 1;
  rq.relu = d->relu;
  rq.output_offset = d->output_offset;
  rq.act_min = d->act_min, rq.act_max = d->act_max;
  return rq;
}

void *mbi_opt_scratch(const mbi_ctx *ctx, uint32_t bytes) {
  /* after setup: [0, used - records) activations, [top, arena_size) records */
  const uint32_t records = (ctx->arena_size & ~(uint32_t)(MBI_RECORD_ALIGN - 1)) - ctx->top;
  const uint32_t bottom = ctx->used - records;
  const uint32_t need = (bytes + MBI_RECORD_ALIGN - 1) & ~(uint32_t)(MBI_RECORD_ALIGN - 1);
  if (need > ctx->top - bottom) return (void *)0;
  return ctx->arena + ctx->top - need;
}
