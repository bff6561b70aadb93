/* DETECTION_POSTPROCESS (mb_signal.h): TFLite Micro's detection_postprocess.cc, float32, step by
 * step: the boxes decoded in double (exp correctly rounded: mb_dd.h, no libm), non-maximum
 * suppression per class (regular) or over each box's best class (fast), its sorts reproduced
 * exactly (a stable descending sort; partial sorts by score, then lower index first).
 *
 * Scratch (ops/detection_postprocess.py's scratch_words, 4-byte words): decoded boxes (4 n),
 * class scores, kept scores, kept indices, selected, active flags (n each), sorted indices
 * (max(n, m)); then the regular path's candidates and their scores (m = max_detections +
 * detections_per_class each) and sorted scores (max_detections), or the fast path's best class
 * per box (n). */
#include "mb_dd.h"
#include "mb_signal.h"

typedef union {
  double d;
  uint64_t u;
} f64_bits;

static double pow2(int32_t k) { /* 2^k for -1022 <= k <= 1023 */
  f64_bits p;
  p.u = (uint64_t)(1023 + k) << 52;
  return p.d;
}

/* exp(x) correctly rounded (but within 2^-100 of a boundary): x = k ln 2 + r, e^r by Taylor. */
static double exp_d(double x) {
  static const double ln2_hi = 0.6931471805599453, ln2_mid = 2.3190468138462996e-17,
                      ln2_lo = 5.707708438416212e-34;
  if (x > 709.782712893384) {
    f64_bits inf;
    inf.u = 0x7FF0000000000000u;
    return inf.d;
  }
  if (x < -745.2) return 0.0;
  double kf = x / ln2_hi;
  kf = kf < 0 ? (double)(int64_t)(kf - 0.5) : (double)(int64_t)(kf + 0.5);
  mb_dd r = {x, 0.0};
  r = mb_dd_add(r, mb_dd_neg(mb_dd_two_prod(kf, ln2_hi)));
  r = mb_dd_add(r, mb_dd_neg(mb_dd_two_prod(kf, ln2_mid)));
  r = mb_dd_add(r, mb_dd_neg(mb_dd_two_prod(kf, ln2_lo)));
  mb_dd sum = {1.0, 0.0}, term = {1.0, 0.0};
  for (int n = 1; n < 30; n++) { /* |r| <= ln 2 / 2 */
    term = mb_dd_div(mb_dd_mul(term, r), (double)n);
    sum = mb_dd_add(sum, term);
  }
  double v = sum.hi + sum.lo;
  for (int32_t k = (int32_t)kf; k != 0;) { /* times 2^k: exact while the result is normal */
    const int32_t s = k > 1000 ? 1000 : k < -1000 ? -1000 : k;
    v *= pow2(s);
    k -= s;
  }
  return v;
}

static float max_f(float a, float b) { return a < b ? b : a; } /* std::max<float> */
static float min_f(float a, float b) { return b < a ? b : a; } /* std::min<float> */

/* Decoded boxes: (ymin, xmin, ymax, xmax) per box. */
static void decode(const mb_detection_postprocess_params *p, const float *enc,
                   const float *anchors, float *boxes) {
  for (int32_t i = 0; i < p->num_boxes; i++) {
    const float *e = enc + i * p->box_stride, *a = anchors + 4 * i; /* y, x, h, w */
    const float yc = (float)((double)e[0] / (double)p->y_scale * (double)a[2] + (double)a[0]);
    const float xc = (float)((double)e[1] / (double)p->x_scale * (double)a[3] + (double)a[1]);
    const float hh = (float)(0.5 * exp_d((double)e[2] / (double)p->h_scale) * (double)a[2]);
    const float hw = (float)(0.5 * exp_d((double)e[3] / (double)p->w_scale) * (double)a[3]);
    boxes[4 * i] = yc - hh, boxes[4 * i + 1] = xc - hw;
    boxes[4 * i + 2] = yc + hh, boxes[4 * i + 3] = xc + hw;
  }
}

static float iou(const float *boxes, int32_t i, int32_t j) {
  const float *a = boxes + 4 * i, *b = boxes + 4 * j;
  const float area_a = (a[2] - a[0]) * (a[3] - a[1]), area_b = (b[2] - b[0]) * (b[3] - b[1]);
  if (area_a <= 0 || area_b <= 0) return 0.0f;
  const float ymin = max_f(a[0], b[0]), xmin = max_f(a[1], b[1]);
  const float ymax = min_f(a[2], b[2]), xmax = min_f(a[3], b[3]);
  const float inter = max_f(ymax - ymin, 0.0f) * max_f(xmax - xmin, 0.0f);
  return inter / (area_a + area_b - inter);
}

/* idx[0..n) = 0..n-1 stably sorted by values descending (TFLite Micro's merge sort, equal
 * values in index order); tmp: n entries. Bottom-up merging gives the same stable order. */
static void sort_desc(const float *values, int32_t n, int32_t *idx, int32_t *tmp) {
  for (int32_t i = 0; i < n; i++) idx[i] = i;
  for (int32_t w = 1; w < n; w *= 2) {
    for (int32_t lo = 0; lo < n; lo += 2 * w) {
      const int32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      int32_t l = lo, r = mid;
      for (int32_t k = lo; k < hi; k++)
        tmp[k] = (l >= mid || (r < hi && values[idx[r]] > values[idx[l]])) ? idx[r++] : idx[l++];
    }
    for (int32_t k = 0; k < n; k++) idx[k] = tmp[k];
  }
}

/* The first k of 0..n-1 ordered by value descending, then index ascending (TFLite Micro's
 * DecreasingPartialArgSort), into idx[0..k). */
static void top_k(const float *values, int32_t n, int32_t k, int32_t *idx) {
  for (int32_t i = 0; i < n; i++) idx[i] = i;
  for (int32_t a = 0; a < k; a++) {
    int32_t best = a;
    for (int32_t b = a + 1; b < n; b++) {
      const float vb = values[idx[b]], vs = values[idx[best]];
      if (vb > vs || (vb == vs && idx[b] < idx[best])) best = b;
    }
    const int32_t t = idx[a];
    idx[a] = idx[best], idx[best] = t;
  }
}

typedef struct {
  float *boxes, *class_scores, *keep_scores;
  int32_t *keep, *selected, *active, *sorted;
} scratch_t;

/* NonMaxSuppressionSingleClassHelper: the selected boxes' indices, at most `limit`. */
static int32_t nms(const mb_detection_postprocess_params *p, const scratch_t *s,
                   const float *scores, int32_t limit) {
  int32_t kept = 0;
  for (int32_t i = 0; i < p->num_boxes; i++)
    if (scores[i] >= p->score_threshold) s->keep_scores[kept] = scores[i], s->keep[kept++] = i;
  sort_desc(s->keep_scores, kept, s->sorted, s->keep); /* keep is the sort's scratch, */
  for (int32_t i = 0, c = 0; i < p->num_boxes; i++)     /* then filled again */
    if (scores[i] >= p->score_threshold) s->keep[c++] = i;
  const int32_t out = kept < limit ? kept : limit;
  int32_t n = 0, active = kept;
  for (int32_t i = 0; i < kept; i++) s->active[i] = 1;
  for (int32_t i = 0; i < kept; i++) {
    if (active == 0 || n >= out) break;
    if (!s->active[i]) continue;
    s->selected[n++] = s->keep[s->sorted[i]];
    s->active[i] = 0, active--;
    for (int32_t j = i + 1; j < kept; j++)
      if (s->active[j] && iou(s->boxes, s->keep[s->sorted[i]], s->keep[s->sorted[j]]) >
                              p->iou_threshold)
        s->active[j] = 0, active--;
  }
  return n;
}

int32_t mb_detection_postprocess_f32(const mb_detection_postprocess_params *p, int32_t *scratch,
                                     const float *enc, const float *scores, const float *anchors,
                                     float *boxes, float *classes, float *out_scores,
                                     float *count) {
  const int32_t n = p->num_boxes, bg = p->classes_with_background;
  const int32_t offset = bg - p->num_classes, m = p->max_detections + p->detections_per_class;
  scratch_t s;
  s.boxes = (float *)(void *)scratch;
  s.class_scores = s.boxes + 4 * n;
  s.keep_scores = s.class_scores + n;
  s.keep = (int32_t *)(void *)(s.keep_scores + n);
  s.selected = s.keep + n, s.active = s.selected + n, s.sorted = s.active + n;
  decode(p, enc, anchors, s.boxes);
  for (int32_t i = 0; i < n; i++) /* ValidateBoxes: TFLite Micro's invoke fails */
    if (s.boxes[4 * i] >= s.boxes[4 * i + 2] || s.boxes[4 * i + 1] >= s.boxes[4 * i + 3]) return 1;
  if (!p->use_regular_nms) { /* each box's best class, then one suppression over those */
    int32_t *best = s.sorted + n;
    for (int32_t i = 0; i < n; i++) { /* the top 1 of DecreasingPartialArgSort */
      const float *row = scores + i * bg + offset;
      best[i] = 0;
      for (int32_t c = 1; c < p->num_classes; c++)
        if (row[c] > row[best[i]]) best[i] = c;
      s.class_scores[i] = row[best[i]];
    }
    const int32_t found = nms(p, &s, s.class_scores, p->max_detections);
    for (int32_t k = 0; k < found; k++) { /* the rows after these are left as they were */
      const int32_t b = s.selected[k];
      for (int32_t c = 0; c < 4; c++) boxes[4 * k + c] = s.boxes[4 * b + c];
      classes[k] = (float)best[b];
      out_scores[k] = scores[b * bg + offset + best[b]];
    }
    *count = (float)found;
    return 0;
  }
  int32_t *cand = s.sorted + (n > m ? n : m);
  float *cand_scores = (float *)(void *)(cand + m), *sorted_values = cand_scores + m;
  int32_t size = 0;
  for (int32_t c = 0; c < p->num_classes; c++) {
    for (int32_t i = 0; i < n; i++) s.class_scores[i] = scores[i * bg + c + offset];
    const int32_t found = nms(p, &s, s.class_scores, p->detections_per_class);
    int32_t total = size;
    for (int32_t k = 0; k < found; k++, total++) {
      cand[total] = s.selected[k] * bg + c + offset;
      cand_scores[total] = s.class_scores[s.selected[k]];
    }
    const int32_t keep = total < p->max_detections ? total : p->max_detections;
    top_k(cand_scores, total, keep, s.sorted);
    for (int32_t r = 0; r < keep; r++) {
      const int32_t t = s.sorted[r];
      s.sorted[r] = cand[t], sorted_values[r] = cand_scores[t];
    }
    for (int32_t r = 0; r < keep; r++) cand[r] = s.sorted[r], cand_scores[r] = sorted_values[r];
    size = keep;
  }
  for (int32_t k = 0; k < p->max_detections; k++) {
    if (k < size) {
      const int32_t anchor = cand[k] / bg;
      for (int32_t c = 0; c < 4; c++) boxes[4 * k + c] = s.boxes[4 * anchor + c];
      classes[k] = (float)(cand[k] - anchor * bg - offset);
      out_scores[k] = cand_scores[k];
    } else {
      for (int32_t c = 0; c < 4; c++) boxes[4 * k + c] = 0.0f;
      classes[k] = 0.0f, out_scores[k] = 0.0f;
    }
  }
  *count = (float)size;
  return 0;
}
