/* What the data movement operators share: their record, checked tensor shapes and constant index
 * operands, and the one eval that runs the prepared copies. */
#include "mbi_move.h"

mbi_move_data *mbi_move_alloc(mbi_ctx *ctx, mbi_op *op, uint32_t copies) {
  if (copies > 255) return (mbi_move_data *)0;
  mbi_move_data *d = (mbi_move_data *)mbi_alloc(
      ctx, 1, (uint32_t)sizeof(mbi_move_data) + copies * (uint32_t)sizeof(mbi_move_copy));
  if (!d) return d;
  d->copies = (int32_t)copies;
  op->data = mbi_offset(ctx, d);
  return d;
}

int mbi_move_tensor(const mbi_ctx *ctx, int32_t t, int min_rank, int max_rank, int want_out,
                    int32_t *dims) {
  if (t < 0 || (uint32_t)t >= ctx->num_tensors) return -1;
  const mbi_tensor *x = mbi_t(ctx, t);
  if (x->type != MBI_TYPE_INT8 && x->type != MBI_TYPE_INT16 && x->type != MBI_TYPE_FLOAT32)
    return -1;
  if (want_out && (x->flags & MBI_T_CONST)) return -1;
  int rank = mbi_shape(ctx, t, dims);
  if (rank < min_rank || rank > max_rank) return -1;
  for (int k = 0; k < rank; k++)
    if (dims[k] <= 0) return -1; /* no empty tensors */
  return rank;
}

void mbi_move_steps(const int32_t *dims, int rank, int32_t *steps) {
  int32_t n = 1;
  for (int k = rank - 1; k >= 0; k--) {
    steps[k] = n;
    n *= dims[k];
  }
}

int mbi_move_ints(const mbi_ctx *ctx, int32_t t, int allow64, int32_t *values, int max) {
  if (t < 0 || (uint32_t)t >= ctx->num_tensors) return -1;
  const mbi_tensor *x = mbi_t(ctx, t);
  if (!(x->flags & MBI_T_CONST) || (x->flags & MBI_T_BAD)) return -1;
  if (x->type != MBI_TYPE_INT32 && !(allow64 && x->type == MBI_TYPE_INT64)) return -1;
  uint32_t n = mbi_bytes(x) / mbi_type_bytes(x->type);
  if (n > (uint32_t)max) return -1;
  const void *data = mbi_in_data(ctx, t); /* in place: setup checked its size and alignment */
  for (uint32_t k = 0; k < n; k++) {
    if (x->type == MBI_TYPE_INT32) {
      values[k] = ((const int32_t *)data)[k];
    } else {
      int64_t v = ((const int64_t *)data)[k];
      if (v < INT32_MIN || v > INT32_MAX) return -1;
      values[k] = (int32_t)v;
    }
  }
  return (int)n;
}

void mbi_move_set(mbi_move_copy *c, int32_t in, int32_t out, int32_t elem, int rank,
                  const int32_t *shape, const int32_t *in_step, const int32_t *out_step,
                  int32_t in_offset, int32_t out_offset) {
  c->in = in, c->out = out;
  c->p.elem_bytes = elem;
  c->p.rank = rank;
  for (int k = 0; k < rank; k++) {
    c->p.shape[k] = shape[k];
    c->p.in_step[k] = in_step[k] * elem;
    c->p.out_step[k] = out_step[k] * elem;
  }
  c->p.in_offset = in_offset * elem;
  c->p.out_offset = out_offset * elem;
}

int mbi_move_quant(mbi_ctx *ctx, int32_t t, float *scale, int32_t *zero_point) {
  mbi_fb *fb = &ctx->fb;
  mbi_table tensor, q;
  mbi_vec scales, zero_points;
  *scale = 0.0f, *zero_point = 0;
  mbi_fb_vec_table(fb, &ctx->fb_tensors, (uint32_t)t, &tensor);
  int has_q = mbi_fb_table(fb, &tensor, 4, &q); /* schema: Tensor.quantization */
  if (fb->err) return MBI_ERR_MODEL;
  if (!has_q) return MBI_OK;
  mbi_fb_vec(fb, &q, 2, 4, &scales);
  mbi_fb_vec(fb, &q, 3, 8, &zero_points);
  if (scales.len) *scale = mbi_fb_vec_f32(fb, &scales, 0);
  if (zero_points.len) {
    int64_t zp = mbi_fb_vec_i64(fb, &zero_points, 0);
    if (zp < -32768 || zp > 32767) return MBI_ERR_TENSOR;
    *zero_point = (int32_t)zp;
  }
  return fb->err ? MBI_ERR_MODEL : MBI_OK;
}

int mbi_move_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_move_data *d = (const mbi_move_data *)mbi_record(ctx, op->data);
  const mbi_move_copy *c = (const mbi_move_copy *)(const void *)(d + 1);
  if (d->fill) {
    const mbi_tensor *y = mbi_t(ctx, op->out);
    const int32_t elem = (int32_t)mbi_type_bytes(y->type);
    mb_fill((int32_t)mbi_bytes(y) / elem, elem, d->value, mbi_out_data(ctx, op->out));
  }
  for (int32_t k = 0; k < d->copies; k++)
    mb_copy_nd(&c[k].p, mbi_in_data(ctx, c[k].in), mbi_out_data(ctx, c[k].out));
  return MBI_OK;
}
