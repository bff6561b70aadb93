"""DETECTION_POSTPROCESS: SSD-like boxes (anchors in the unit square, encodings scaled by 10 and
5 as SSD's are), 1 to 6 classes with or without a background class, regular and fast
suppression, thresholds and detection limits drawn; scores sometimes on a few levels only, so
ties decide the order."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

DTYPES = {"DETECTION_POSTPROCESS": ("float32",)}


def _dpp(rng, dtype):
    n, classes = int(rng.integers(1, 41)), int(rng.integers(1, 7))
    bg = int(rng.random() < 0.5)
    stride = 4 if rng.random() < 0.8 else int(rng.integers(5, 7))
    max_det = int(rng.integers(1, 11))
    regular = bool(rng.random() < 0.5)
    anchors = np.c_[rng.uniform(0.1, 0.9, (n, 2)), rng.uniform(0.05, 0.5, (n, 2))]
    options = {"max_detections": max_det, "max_classes_per_detection": 1,
               "nms_score_threshold": float(np.float32(rng.choice([0.0, 0.1, 0.3, 0.5]))),
               "nms_iou_threshold": float(np.float32(rng.uniform(0.2, 0.9))),
               "num_classes": classes, "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0,
               "w_scale": 5.0, "use_regular_nms": regular}
    if rng.random() < 0.5:
        options["detections_per_class"] = int(rng.integers(1, 20))
    t = [Tensor("box_encodings", (1, n, stride), "float32"),
         Tensor("class_predictions", (1, n, classes + bg), "float32"),
         Tensor("anchors", (n, 4), "float32", data=anchors.astype(np.float32)),
         Tensor("boxes", (1, max_det, 4), "float32"), Tensor("classes", (1, max_det), "float32"),
         Tensor("scores", (1, max_det), "float32"), Tensor("count", (1,), "float32")]
    op = Op("DETECTION_POSTPROCESS", [0, 1, 2], [3, 4, 5, 6], options)
    return Graph("detection_postprocess", t, [op], [0, 1], [3, 4, 5, 6])


def _inputs(rng, graph):
    enc_t, scores_t = graph.tensors[0], graph.tensors[1]
    enc = rng.normal(0.0, 1.0, enc_t.shape).astype(np.float32)
    scores = rng.uniform(0.0, 1.0, scores_t.shape)
    if rng.random() < 0.3:
        scores = np.round(scores * 4) / 4  # ties
    return [enc, scores.astype(np.float32)]


def _mask(graph, outputs):
    """The fast path leaves the rows after the detections as they were."""
    if graph.ops[0].options["use_regular_nms"]:
        return [None] * 4
    found = int(outputs[3].reshape(-1)[0])
    rows = np.arange(graph.tensors[graph.outputs[1]].size) < found
    return [np.repeat(rows, 4).reshape(outputs[0].shape), rows.reshape(outputs[1].shape),
            rows.reshape(outputs[2].shape), None]


BUILDERS = {"DETECTION_POSTPROCESS": _dpp}
INPUTS = {"DETECTION_POSTPROCESS": _inputs}
MASKS = {"DETECTION_POSTPROCESS": _mask}
