"""DETECTION_POSTPROCESS (TFLite Micro's custom operator "TFLite_Detection_PostProcess", SSD's last
stage): box encodings decoded against the anchors (center-size, scaled; the sizes through exp, all
in double as TFLite Micro computes them), then non-maximum suppression: per class ("regular",
use_regular_nms) or once over each anchor's best classes ("fast"), keeping the max_detections best
boxes; float32 in and out, as TFLite Micro takes them.

Outputs: boxes [.., rows, 4] (ymin, xmin, ymax, xmax), classes and scores [.., rows], the number of
detections [1] (a float). The regular path zeroes the rows after the detections, the fast one
leaves them as they were (TFLite Micro's, both); the fast path takes one class per detection (with
more, TFLite Micro's writes past its outputs: refused). Options are read by name as TFLite Micro
reads them (flexbuffers' typed conversions; detections_per_class 100 and use_regular_nms false when
absent). What makes TFLite Micro's invoke fail is refused here (an IoU threshold outside (0, 1],
non-positive detections per class or classes per detection); a box whose decoded corners do not lie
in order makes both fail at invoke (TFLite Micro's ValidateBoxes). NaN scores sort in no defined
order."""
from __future__ import annotations

import numpy as np

from ..frontends.flexbuffer import Indirect, Unsigned
from ..ir.graph import Graph, Op
from .base import records
from .common.check import need
from .common.cstruct import F32, I32, Struct, fields
from .common.custom import CustomOp, io, typed

PARAMS = Struct(
    "mb_detection_postprocess_params", "DETECTION_POSTPROCESS; counts, options (TFLite Micro's "
                                       "OpData), the scratch (kernels/detection_postprocess.c).",
    fields(I32, "num_boxes", "box_stride", "num_classes", "classes_with_background"),
    fields(I32, "max_detections", "max_classes_per_detection", "detections_per_class",
           "use_regular_nms"),
    fields(F32, "score_threshold", "iou_threshold"),
    fields(F32, "y_scale", "x_scale", "h_scale", "w_scale"))
INTS = ("max_detections", "max_classes_per_detection", "num_classes")
FLOATS = ("nms_score_threshold", "nms_iou_threshold", "y_scale", "x_scale", "h_scale", "w_scale")


def _number(op: Op, key: str):
    v = op.options.get(key)
    if isinstance(v, (Indirect, Unsigned)):
        v = v.value
    need(v is None or isinstance(v, (int, float)),
         f"option {key}={v!r}: TFLite Micro reads a number there")
    return v


def _int32(v) -> int:
    """flexbuffers' AsInt32 of a number (floats truncate), None (absent) 0."""
    v = 0 if v is None else int(v) if not isinstance(v, float) or np.isfinite(v) else 0
    return (v + 2**31) % 2**32 - 2**31


def options(op: Op) -> dict:
    o = {k: _int32(_number(op, k)) for k in INTS}
    o.update({k: float(np.float32(_number(op, k) or 0.0)) for k in FLOATS})
    dpc = _number(op, "detections_per_class")
    o["detections_per_class"] = 100 if dpc is None else _int32(dpc)
    nms = _number(op, "use_regular_nms")
    o["use_regular_nms"] = int(nms is not None and _int32(nms) != 0)
    return o


def rows(o: dict) -> int:
    """Detection rows the outputs need: one class per detection (see params)."""
    return o["max_detections"]


def params(graph: Graph, op: Op) -> dict:
    (boxes, scores, anchors), outs = io(graph, op, 3, 4)
    for role, t in (("box encodings", boxes), ("class predictions", scores),
                    ("anchors", anchors), *zip(("boxes", "classes", "scores", "count"), outs)):
        typed(t, role, "float32")
    typed(boxes, "box encodings", "float32", 3)
    typed(scores, "class predictions", "float32", 3)
    typed(anchors, "anchors", "float32", 2)
    o = options(op)
    n, stride = int(boxes.shape[1]), int(boxes.shape[2])
    with_bg = int(scores.shape[2])
    need(boxes.shape[0] == 1 and scores.shape[0] == 1 and scores.shape[1] == n,
         f"box encodings {list(boxes.shape)}, class predictions {list(scores.shape)}: one batch "
         "of the same boxes")
    need(stride >= 4 and anchors.size >= 4 * n, f"{n} boxes need 4 encodings and 4 anchor "
                                                 "values each")
    need(0 <= with_bg - o["num_classes"] <= 1 and o["num_classes"] >= 1,
         f"num_classes {o['num_classes']} for {with_bg} class scores (one more: background)")
    need(0 < o["nms_iou_threshold"] <= 1, f"nms_iou_threshold {o['nms_iou_threshold']}: TFLite "
                                          "Micro's invoke fails outside (0, 1]")
    need(o["max_detections"] >= 0, f"max_detections {o['max_detections']} is negative")
    if o["use_regular_nms"]:
        need(o["detections_per_class"] > 0,
             f"detections_per_class {o['detections_per_class']}: TFLite Micro's invoke fails")
    else:
        need(o["max_classes_per_detection"] > 0, f"max_classes_per_detection "
                                                  f"{o['max_classes_per_detection']}: TFLite "
                                                  "Micro's invoke fails")
        need(min(o["max_classes_per_detection"], o["num_classes"]) == 1,
             f"max_classes_per_detection {o['max_classes_per_detection']}: TFLite Micro's fast "
             "path writes past its outputs with more than one class per detection")
    r = rows(o)
    need(outs[0].size >= 4 * r and outs[1].size >= r and outs[2].size >= r and
         outs[3].size >= 1, f"outputs of {outs[0].size}, {outs[1].size}, {outs[2].size}, "
                            f"{outs[3].size} values for {r} detections")
    need(all(not t.is_const for t in (boxes, scores)), "box encodings and scores must be "
                                                       "activations")
    return {"num_boxes": n, "box_stride": stride, "num_classes": o["num_classes"],
            "classes_with_background": with_bg, "max_detections": o["max_detections"],
            "max_classes_per_detection": o["max_classes_per_detection"],
            "detections_per_class": o["detections_per_class"],
            "use_regular_nms": o["use_regular_nms"],
            "score_threshold": o["nms_score_threshold"], "iou_threshold": o["nms_iou_threshold"],
            "y_scale": o["y_scale"], "x_scale": o["x_scale"], "h_scale": o["h_scale"],
            "w_scale": o["w_scale"]}


def scratch_words(p: dict) -> int:
    """4-byte words of the kernel's scratch (kernels/detection_postprocess.c lays them out: the
    decoded boxes, five per-box arrays, the sorted indices, then the regular path's candidates
    and sorted scores or the fast path's best class per box)."""
    n = p["num_boxes"]
    if p["use_regular_nms"]:
        m = p["max_detections"] + p["detections_per_class"]
        return 9 * n + max(n, m) + 2 * m + p["max_detections"]
    return 9 * n + n + n


class DetectionPostprocess(CustomOp, kind="DETECTION_POSTPROCESS",
                           custom="TFLite_Detection_PostProcess", types=("float32",),
                           note="exp and sorting as TFLite Micro; the fast path leaves rows "
                                "after the detections"):
    kernels = ("detection_postprocess.c",)
    interp_sources = ("mbi_op_detection_postprocess.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def emit(self, gen, i: int, op: Op) -> None:
        ref = self.struct(gen, i, op)
        scratch = gen.static(f"op{i}_scratch", "int32_t", scratch_words(params(gen.g, op)),
                             f"DETECTION_POSTPROCESS operator {i}: scratch")
        ins = ", ".join(gen.weight(t) if gen.g.tensors[t].is_const else gen.act(t, True)
                        for t in op.inputs)
        outs = ", ".join(gen.act(t, False) for t in op.outputs)
        gen.stop_if(i, f"mb_detection_postprocess_f32({ref}, {scratch}, {ins}, {outs})",
                    code=5)  # TFLite Micro's invoke fails: boxes out of order

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, PARAMS.size() + 4 * scratch_words(params(graph, op)))
