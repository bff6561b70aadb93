/* FULLY_CONNECTED: batches x in_features -> batches x units, filter units x in_features; int8
 * (mb_fully_connected_s8) or, all tensors float32, mb_fully_connected_f32. */
#include "mbi.h"
#include "mbi_s16.h"

int mbi_fully_connected_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                const mbi_table *options) {
  mbi_fb *fb = &ctx->fb;
  if (options_type != MBI_OPT_FULLY_CONNECTED || op->n_in < 2) return MBI_ERR_PARAMS;
  const int f32 = op->in[0] >= 0 && ctx->tensors[op->in[0]].type == MBI_TYPE_FLOAT32;
  /* int16 (16x8): an int8 filter, an int64 or int32 bias */
  const int s16 = op->in[0] >= 0 && ctx->tensors[op->in[0]].type == MBI_TYPE_INT16;
  const uint8_t act = f32 ? MBI_TYPE_FLOAT32 : (s16 ? MBI_TYPE_INT16 : MBI_TYPE_INT8);
  const int bias64 = s16 && op->in[2] >= 0 && ctx->tensors[op->in[2]].type != MBI_TYPE_INT32;
  const mbi_tensor *x = mbi_tensor_of(ctx, op->in[0], act, 0);
  const mbi_tensor *w = mbi_tensor_of(ctx, op->in[1], s16 ? MBI_TYPE_INT8 : act, 1);
  const mbi_tensor *y = mbi_tensor_of(ctx, op->out, act, 0);
  const mbi_tensor *b = mbi_tensor_of(ctx, op->in[2], f32 ? MBI_TYPE_FLOAT32 :
                                      (bias64 ? MBI_TYPE_INT64 : MBI_TYPE_INT32), 1);
  if (!x || !w || !y || (op->in[2] >= 0 && !b) || w->rank != 2) return MBI_ERR_TENSOR;
  /* schema: FullyConnectedOptions (fused_activation_function, weights_format, ...) */
  uint32_t fused = mbi_fb_uint(fb, options, 0, 1, 0);
  uint32_t weights_format = mbi_fb_uint(fb, options, 1, 1, 0);
  if (fb->err) return MBI_ERR_MODEL;

  const int32_t units = w->dims.w, in_features = w->dims.c; /* rank 2: (1, 1, units, in) */
  const uint32_t in_elems = mbi_bytes(x) / mbi_type_bytes(x->type);
  if (weights_format != 0 || units < 1 || in_features < 1 || in_elems % (uint32_t)in_features)
    return MBI_ERR_PARAMS;
  const uint32_t batches = in_elems / (uint32_t)in_features;
  if ((uint64_t)batches * (uint32_t)units != mbi_bytes(y) / mbi_type_bytes(y->type))
    return MBI_ERR_PARAMS;
  if (b && mbi_bytes(b) != mbi_type_bytes(b->type) * (uint32_t)units) return MBI_ERR_PARAMS;

  if (f32) { /* no quantization: the activation's clamp and the sizes */
    mbi_fc_f32_data *f = (mbi_fc_f32_data *)mbi_alloc(ctx, 1, sizeof(mbi_fc_f32_data));
    if (!f) return MBI_ERR_ARENA;
    int rc = mbi_activation_range_f32(fused, &f->act_min, &f->act_max);
    if (rc != MBI_OK) return rc;
    f->batches = (int32_t)batches, f->in_features = in_features, f->out_units = units;
    op->data = mbi_offset(ctx, f);
    return MBI_OK;
  }

  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  mbi_vec scales;
  mbi_fc_data *p = (mbi_fc_data *)mbi_alloc(ctx, 1, sizeof(mbi_fc_data));
  if (!p) return MBI_ERR_ARENA;
  int rc = mbi_quant(ctx, op->in[0], &in_scale, &in_zp);
  if (rc == MBI_OK) rc = mbi_quant(ctx, op->out, &out_scale, &out_zp);
  if (rc == MBI_OK)
    rc = s16 ? mbi_activation_range_s16(fused, out_scale, &p->act_min, &p->act_max)
             : mbi_activation_range(fused, out_scale, out_zp, &p->act_min, &p->act_max);
  if (rc == MBI_OK) rc = mbi_filter_scales(ctx, op->in[1], &scales);
  if (rc != MBI_OK) return rc;
  p->per_channel = scales.len > 1;
  rc = mbi_prepare_requant(ctx, op->in[0], op->in[1], op->out,
                           p->per_channel ? (uint32_t)units : 1u, &p->requant);
  if (rc == MBI_OK && s16) /* no bias: TFLite Micro's int64 path too */
    rc = mbi_check_s16(ctx, in_zp, out_zp, !b || bias64, p->requant,
                       p->per_channel ? (uint32_t)units : 1u);
  if (rc != MBI_OK) return rc;
  p->input_offset = -in_zp;
  p->output_offset = out_zp;
  p->batches = (int32_t)batches, p->in_features = in_features, p->out_units = units;
  op->data = mbi_offset(ctx, p);
  return MBI_OK;
}

static int eval_f32(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_fc_f32_data *d = (const mbi_fc_f32_data *)mbi_record(ctx, op->data);
  mb_fully_connected_f32_params p;
  p.act_min = d->act_min, p.act_max = d->act_max;
  mb_fully_connected_f32(&p, d->batches, d->in_features, (const float *)mbi_in_data(ctx, op->in[0]),
                         d->out_units, (const float *)mbi_in_data(ctx, op->in[1]),
                         (const float *)mbi_in_data(ctx, op->in[2]),
                         (float *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}

/* int16 activations (16x8): the int64 path unless the bias is int32, as TFLite Micro */
static int eval_s16(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_fc_data *d = (const mbi_fc_data *)mbi_record(ctx, op->data);
  mb_fully_connected_s16_params p;
  p.acc64 = op->in[2] < 0 || mbi_t(ctx, op->in[2])->type == MBI_TYPE_INT64;
  p.per_channel = d->per_channel;
  p.act_min = d->act_min, p.act_max = d->act_max;
  p.requant = (const mb_requant *)mbi_record(ctx, d->requant);
  mb_fully_connected_s16(&p, d->batches, d->in_features,
                         (const int16_t *)mbi_in_data(ctx, op->in[0]), d->out_units,
                         (const int8_t *)mbi_in_data(ctx, op->in[1]), mbi_in_data(ctx, op->in[2]),
                         (int16_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}

int mbi_fully_connected_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (mbi_t(ctx, op->out)->type == MBI_TYPE_INT16) return eval_s16(ctx, op);
  if (mbi_t(ctx, op->out)->type == MBI_TYPE_FLOAT32) return eval_f32(ctx, op);
  const mbi_fc_data *d = (const mbi_fc_data *)mbi_record(ctx, op->data);
  mb_fully_connected_params p;
  p.input_offset = d->input_offset, p.output_offset = d->output_offset;
  p.act_min = d->act_min, p.act_max = d->act_max;
  p.requant = (const mb_requant *)mbi_record(ctx, d->requant);
  p.per_channel = d->per_channel;
  mb_fully_connected_s8(&p, d->batches, d->in_features, (const int8_t *)mbi_in_data(ctx, op->in[0]),
                        d->out_units, (const int8_t *)mbi_in_data(ctx, op->in[1]),
                        (const int32_t *)mbi_in_data(ctx, op->in[2]),
                        (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
