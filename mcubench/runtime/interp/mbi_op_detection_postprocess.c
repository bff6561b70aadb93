/* DETECTION_POSTPROCESS ("TFLite_Detection_PostProcess"): its options read by name with
 * flexbuffers' typed conversions (TFLite Micro's DetectionPostProcessInit), float32 tensors, the
 * checks of ops/detection_postprocess.py; the kernel's scratch follows the params record. */
#include "mbi_signal.h"

static int32_t int_opt(mbi_flex_map *m, const char *key, int32_t absent) {
  const int32_t i = mbi_flex_find(m, key);
  return i < 0 || mbi_flex_type(m, i) == 0 ? absent : (int32_t)mbi_flex_int(m, i);
}

static float float_opt(mbi_flex_map *m, const char *key) {
  return (float)mbi_flex_double(m, mbi_flex_find(m, key));
}

int mbi_detection_postprocess_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type,
                                      const mbi_table *options) {
  int32_t bd[MBI_MAX_DIMS], sd[MBI_MAX_DIMS];
  mbi_flex_map m;
  mb_detection_postprocess_params q;
  (void)options_type, (void)options;
  if (op->n_in != 3 || op->n_out != 4) return MBI_ERR_PARAMS;
  int rc = mbi_custom_options(ctx, &m);
  if (rc != MBI_OK) return rc;
  q.max_detections = int_opt(&m, "max_detections", 0);
  q.max_classes_per_detection = int_opt(&m, "max_classes_per_detection", 0);
  q.detections_per_class = int_opt(&m, "detections_per_class", 100);
  q.use_regular_nms = int_opt(&m, "use_regular_nms", 0) != 0;
  q.num_classes = int_opt(&m, "num_classes", 0);
  q.score_threshold = float_opt(&m, "nms_score_threshold");
  q.iou_threshold = float_opt(&m, "nms_iou_threshold");
  q.y_scale = float_opt(&m, "y_scale"), q.x_scale = float_opt(&m, "x_scale");
  q.h_scale = float_opt(&m, "h_scale"), q.w_scale = float_opt(&m, "w_scale");
  if (m.err) return MBI_ERR_PARAMS;
  for (uint32_t k = 0; k < 7; k++) {
    const int32_t t = k < 3 ? MBI_IN(ctx, op, k) : MBI_OUT(ctx, op, k - 3);
    const int rank = k == 0 || k == 1 ? 3 : k == 2 ? 2 : -1;
    if (!mbi_signal_tensor(ctx, t, MBI_TYPE_FLOAT32, rank)) return MBI_ERR_TENSOR;
  }
  if ((mbi_t(ctx, op->in[0])->flags | mbi_t(ctx, op->in[1])->flags) & MBI_T_CONST)
    return MBI_ERR_TENSOR;
  mbi_shape(ctx, op->in[0], bd);
  mbi_shape(ctx, op->in[1], sd);
  const int32_t n = bd[1], bg = sd[2], rows = q.max_detections;
  if (bd[0] != 1 || sd[0] != 1 || sd[1] != n || bd[2] < 4 ||
      mbi_signal_count(mbi_t(ctx, op->in[2])) < 4 * n || q.num_classes < 1 ||
      bg - q.num_classes < 0 || bg - q.num_classes > 1 || !(q.iou_threshold > 0.0f) ||
      !(q.iou_threshold <= 1.0f) || q.max_detections < 0)
    return MBI_ERR_PARAMS;
  if (q.use_regular_nms ? q.detections_per_class <= 0
                        : q.max_classes_per_detection <= 0 ||
                              (q.max_classes_per_detection > 1 && q.num_classes > 1))
    return MBI_ERR_PARAMS;
  const int32_t need[4] = {4 * rows, rows, rows, 1};
  for (uint32_t k = 0; k < 4; k++)
    if (mbi_signal_count(mbi_t(ctx, MBI_OUT(ctx, op, k))) < need[k]) return MBI_ERR_PARAMS;
  q.num_boxes = n, q.box_stride = bd[2], q.classes_with_background = bg;
  const int32_t mm = q.max_detections + q.detections_per_class;
  const uint32_t words = (uint32_t)(q.use_regular_nms ? 9 * n + (n > mm ? n : mm) + 2 * mm +
                                                            q.max_detections
                                                      : 11 * n);
  mb_detection_postprocess_params *p = (mb_detection_postprocess_params *)mbi_alloc(
      ctx, 1, sizeof(mb_detection_postprocess_params) + 4 * words);
  if (!p) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, p);
  *p = q;
  return MBI_OK;
}

int mbi_detection_postprocess_eval(const mbi_ctx *ctx, const mbi_op *op) {
  mb_detection_postprocess_params *p =
      (mb_detection_postprocess_params *)mbi_record(ctx, op->data);
  const int32_t bad = mb_detection_postprocess_f32(
      p, (int32_t *)(void *)(p + 1), (const float *)mbi_in_data(ctx, op->in[0]),
      (const float *)mbi_in_data(ctx, op->in[1]), (const float *)mbi_in_data(ctx, op->in[2]),
      (float *)mbi_out_data(ctx, MBI_OUT(ctx, op, 0)),
      (float *)mbi_out_data(ctx, MBI_OUT(ctx, op, 1)),
      (float *)mbi_out_data(ctx, MBI_OUT(ctx, op, 2)),
      (float *)mbi_out_data(ctx, MBI_OUT(ctx, op, 3)));
  return bad ? MBI_ERR_PARAMS : MBI_OK;
}
