/* OVERLAP_ADD ("SignalOverlapAdd"): options T (the tensors' type, int16 or float32) and
 * frame_step (1..frame_size); input [..., n_frames, frame_size], output one rank less with
 * n_frames x frame_step values per row (TFLite Micro's OverlapAddPrepare and ops/overlap_add.py);
 * the rows' running buffers follow the params record. */
#include "mbi_signal.h"

int mbi_overlap_add_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                            const mbi_table *options) {
  static const char *const keys[] = {"T", "frame_step"};
  int32_t v[2], dims[MBI_MAX_DIMS];
  (void)options_type, (void)options;
  if (op->n_in != 1 || op->n_out != 1 || op->in[0] < 0) return MBI_ERR_PARAMS;
  int rc = mbi_signal_options(ctx, keys, 2, v);
  if (rc != MBI_OK) return rc;
  const uint8_t type = v[0] == 7 ? MBI_TYPE_INT16 : v[0] == 0 ? MBI_TYPE_FLOAT32 : 0xFF;
  const int rank = mbi_shape(ctx, op->in[0], dims);
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], type, -1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, type, rank - 1);
  if (!x || !y || rank < 2 || (x->flags & MBI_T_CONST)) return MBI_ERR_TENSOR;
  const int32_t size = dims[rank - 1], frames = dims[rank - 2], step = v[1];
  if (size < 1 || frames < 1 || step < 1 || step > size) return MBI_ERR_PARAMS;
  const int32_t outer = mbi_signal_count(x) / (size * frames);
  if ((int64_t)outer * frames * step != mbi_signal_count(y)) return MBI_ERR_PARAMS;
  const uint32_t n = (uint32_t)(outer * size);
  const uint32_t words = type == MBI_TYPE_FLOAT32 ? n : (n + 1) / 2;
  mb_overlap_add_params *p =
      (mb_overlap_add_params *)mbi_alloc(ctx, 1, sizeof(mb_overlap_add_params) + 4 * words);
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  p->frame_size = size, p->frame_step = step, p->n_frames = frames, p->outer = outer;
  p->words = (int32_t)words;
  mb_overlap_add_reset(p, (int32_t *)(void *)(p + 1));
  return MBI_OK;
}

int mbi_overlap_add_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_overlap_add_params *p = (mb_overlap_add_params *)mbi_record(ctx, op->data);
  if (mbi_t(ctx, op->out)->type == MBI_TYPE_FLOAT32)
    mb_overlap_add_f32(p, (float *)(void *)(p + 1), (const float *)mbi_in_data(ctx, op->in[0]),
                       (float *)mbi_out_data(ctx, op->out));
  else
    mb_overlap_add_s16(p, (int16_t *)(void *)(p + 1),
                       (const int16_t *)mbi_in_data(ctx, op->in[0]),
                       (int16_t *)mbi_out_data(ctx, op->out));
  return MBI_OK;
}
