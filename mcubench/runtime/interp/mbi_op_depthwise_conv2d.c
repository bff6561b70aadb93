/* DEPTHWISE_CONV_2D: prepared by mbi_conv_prepare (mbi_op_conv.c), evaluated by
 * mb_depthwise_conv2d_s8 (or mb_depthwise_conv2d_f32 for float32 tensors). */
#include "mbi.h"
#include "mbi_s16.h"

int mbi_depthwise_conv2d_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                 const mbi_table *options) {
  return mbi_conv_prepare(ctx, op, options_type, options, 1);
}

static int eval_f32(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_conv_f32_data *d = (const mbi_conv_f32_data *)mbi_record(ctx, op->data);
  mb_depthwise_conv2d_f32_params p;
  p.stride_h = d->stride_h, p.stride_w = d->stride_w;
  p.dilation_h = d->dilation_h, p.dilation_w = d->dilation_w;
  p.pad_h = d->pad_h, p.pad_w = d->pad_w;
  p.depth_multiplier = d->depth_multiplier;
  p.act_min = d->act_min, p.act_max = d->act_max;
  mb_depthwise_conv2d_f32(&p, &mbi_t(ctx, op->in[0])->dims,
                          (const float *)mbi_in_data(ctx, op->in[0]),
                          &mbi_t(ctx, op->in[1])->dims, (const float *)mbi_in_data(ctx, op->in[1]),
                          (const float *)mbi_in_data(ctx, op->in[2]), &mbi_t(ctx, op->out)->dims,
                          (float *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}

/* int16 activations (16x8): always TFLite Micro's int64 path (an int64 bias or none) */
static int eval_s16(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_conv_data *d = (const mbi_conv_data *)mbi_record(ctx, op->data);
  mb_depthwise_conv2d_s16_params p;
  p.stride_h = d->stride_h, p.stride_w = d->stride_w;
  p.dilation_h = d->dilation_h, p.dilation_w = d->dilation_w;
  p.pad_h = d->pad_h, p.pad_w = d->pad_w;
  p.depth_multiplier = d->depth_multiplier;
  p.act_min = d->act_min, p.act_max = d->act_max;
  p.requant = (const mb_requant *)mbi_record(ctx, d->requant);
  mb_depthwise_conv2d_s16(&p, &mbi_t(ctx, op->in[0])->dims,
                          (const int16_t *)mbi_in_data(ctx, op->in[0]),
                          &mbi_t(ctx, op->in[1])->dims, (const int8_t *)mbi_in_data(ctx, op->in[1]),
                          (const int64_t *)mbi_in_data(ctx, op->in[2]),
                          &mbi_t(ctx, op->out)->dims, (int16_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}

int mbi_depthwise_conv2d_eval(const mbi_ctx *ctx, const mbi_op *op) {
  if (mbi_t(ctx, op->out)->type == MBI_TYPE_INT16) return eval_s16(ctx, op);
  if (mbi_t(ctx, op->out)->type == MBI_TYPE_FLOAT32) return eval_f32(ctx, op);
  const mbi_conv_data *d = (const mbi_conv_data *)mbi_record(ctx, op->data);
  mb_depthwise_conv2d_params p;
  p.stride_h = d->stride_h, p.stride_w = d->stride_w;
  p.dilation_h = d->dilation_h, p.dilation_w = d->dilation_w;
  p.pad_h = d->pad_h, p.pad_w = d->pad_w;
  p.depth_multiplier = d->depth_multiplier;
  p.input_offset = d->input_offset, p.output_offset = d->output_offset;
  p.act_min = d->act_min, p.act_max = d->act_max;
  p.requant = (const mb_requant *)mbi_record(ctx, d->requant);
  mb_depthwise_conv2d_s8(&p, &mbi_t(ctx, op->in[0])->dims,
                         (const int8_t *)mbi_in_data(ctx, op->in[0]), &mbi_t(ctx, op->in[1])->dims,
                         (const int8_t *)mbi_in_data(ctx, op->in[1]),
                         (const int32_t *)mbi_in_data(ctx, op->in[2]), &mbi_t(ctx, op->out)->dims,
                         (int8_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
