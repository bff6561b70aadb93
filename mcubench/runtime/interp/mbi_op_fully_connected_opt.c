/* FULLY_CONNECTED on the optimized path (mbi_opt.h): batches x in_features times the model's
 * filter (units x in_features, one row per unit, the GEMM's OHWI layout), batches as the GEMM's
 * pixels. Other types and multipliers that do not shift right go to the reference registration. */
#include "mbi_opt.h"

int mbi_fully_connected_opt_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                    const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], MBI_TYPE_INT8, 0);
  const mbi_tensor *w = mbi_tensor_of(ctx, op->in[1], MBI_TYPE_INT8, 1);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, MBI_TYPE_INT8, 0);
  const mbi_tensor *b = mbi_tensor_of(ctx, op->in[2], MBI_TYPE_INT32, 1);
  if (options_type != MBI_OPT_FULLY_CONNECTED || op->n_in < 2 || !x || !w || !y ||
      (op->in[2] >= 0 && !b) || w->rank != 2)
    return mbi_opt_fallback(ctx, op, options_type, options);
  const int32_t units = w->dims.w, in_features = w->dims.c; /* rank 2: (1, 1, units, in) */
  int rc;
  /* schema: FullyConnectedOptions (fused_activation_function, weights_format, ...) */
  uint32_t fused = mbi_fb_uint(fb, options, 0, 1, 0);
  uint32_t weights_format = mbi_fb_uint(fb, options, 1, 1, 0);
  if (fb->err) return MBI_ERR_MODEL;
  if (weights_format != 0 || units < 1 || in_features < 1 || mbi_bytes(x) % (uint32_t)in_features)
    return MBI_ERR_PARAMS;
  const uint32_t batches = mbi_bytes(x) / (uint32_t)in_features;
  if ((uint64_t)batches * (uint32_t)units != mbi_bytes(y)) return MBI_ERR_PARAMS;
  if (b && mbi_bytes(b) != 4u * (uint32_t)units) return MBI_ERR_PARAMS;

  float in_scale;
  int32_t in_zp;
  const uint32_t top = ctx->top; /* released if the kernels do not cover it */
  mbi_fc_opt_data *p = (mbi_fc_opt_data *)mbi_alloc(ctx, 1, sizeof(mbi_fc_opt_data));
  if (!p) return MBI_ERR_ARENA;
  rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK)
    rc = mbi_opt_output_stage(ctx, op, fused, (uint32_t)units,
                              (const int8_t *)mbi_in_data(ctx, op->in[1]), in_features,
                              in_features, 1, -in_zp, &p->rq);
  if (rc == MBI_OPT_SLOW) {
    ctx->top = top;
    return mbi_opt_fallback(ctx, op, options_type, options);
  }
  if (rc != MBI_OK) return rc;
  p->batches = (int32_t)batches, p->in_features = in_features, p->out_units = units;
  p->gemm = mbi_opt_gemm_index(in_features);
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

int mbi_fully_connected_opt_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_fc_opt_data *d = (const mbi_fc_opt_data *)mbi_record(ctx, op->data);
  const mb_requant_opt rq = mbi_opt_rq(ctx, &d->rq);
  mbi_opt_gemm(d->gemm)(&rq, d->in_features, d->batches, d->out_units,
                        (const int8_t *)mbi_in_data(ctx, op->in[0]),
                        (const int8_t *)mbi_in_data(ctx, op->in[1]),
                        (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
