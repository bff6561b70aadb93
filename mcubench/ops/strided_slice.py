"""STRIDED_SLICE: one strided copy (negative strides read backwards), TFLite Micro's index
arithmetic; ranks up to 4 (its limit); ellipsis/new-axis masks and `offset` refused (TFLite Micro
ignores them)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32
from .common.move import Copy, Move, const_ints, dense_steps


def slice_axis(size: int, begin: int, end: int, stride: int, begin_mask: bool, end_mask: bool,
               shrink: bool) -> tuple[int, int]:
    """(first index, element count) along one axis, TFLite Micro's strided slice arithmetic:
    negative indices count from the end, then clamp to [0, size] (stride > 0) or [-1, size - 1]
    (stride < 0); the masks take the whole axis; a shrunk axis takes one element."""
    lo, hi = (0, size) if stride > 0 else (-1, size - 1)
    start = min(max(begin + size if begin < 0 else begin, lo), hi)
    if begin_mask:
        start = 0 if stride > 0 else size - 1
    if shrink:
        if stride < 0 or not 0 <= start < size:
            # TFLite Micro then writes nothing (stride < 0) or reads past the axis
            raise ValueError(f"shrink_axis_mask on an axis of size {size} with begin {begin} and "
                             f"stride {stride}: TFLite Micro needs a positive stride and begin "
                             "inside the axis there")
        return start, 1
    stop = min(max(end + size if end < 0 else end, lo), hi)
    if end_mask:
        stop = size if stride > 0 else -1
    count = -((stop - start) // -stride) if stride > 0 else -((start - stop) // stride)
    return start, max(count, 0)


class StridedSlice(Move, kind="STRIDED_SLICE", types=INT8_INT16_F32):
    max_rank = 4  # TFLite Micro: "input dim should not exceed 4"

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 4 or len(op.outputs) != 1:
            raise ValueError("needs inputs (input, begin, end, strides) and one output")
        # all axes shrunk: a scalar
        (x,), (y,) = self.io(graph, op, [0], [0], out_rank=(0, self.max_rank))
        o = op.options
        for key in ("ellipsis_mask", "new_axis_mask"):
            if int(o.get(key, 0)):
                raise ValueError(f"{key}={o[key]} is not supported (TFLite Micro ignores it)")
        if o.get("offset", False):
            raise ValueError("offset=true is not supported (TFLite Micro ignores it)")
        r = len(x.shape)
        begin, end, strides = (const_ints(graph, op.inputs[k], n)
                               for k, n in ((1, "begin"), (2, "end"), (3, "strides")))
        if not len(begin) == len(end) == len(strides) == r:
            raise ValueError(f"begin, end and strides need {r} values each (the input's rank), "
                             f"got {len(begin)}, {len(end)}, {len(strides)}")
        if 0 in strides:
            raise ValueError(f"strides {strides} has a zero")
        bm, em, sm = (int(o.get(k, 0)) for k in ("begin_mask", "end_mask", "shrink_axis_mask"))
        starts, counts = [], []
        for a in range(r):
            s, n = slice_axis(int(x.shape[a]), begin[a], end[a], strides[a], bool(bm >> a & 1),
                              bool(em >> a & 1), bool(sm >> a & 1))
            starts.append(s)
            counts.append(n)
        want = [n for a, n in enumerate(counts) if not sm >> a & 1]
        if list(y.shape) != want:
            raise ValueError(f"output shape {list(y.shape)} is not the slice's {want}")
        steps = dense_steps(x.shape)
        return [Copy(op.inputs[0], op.outputs[0], counts,
                     [steps[a] * strides[a] for a in range(r)], dense_steps(counts),
                     in_offset=sum(s * st for s, st in zip(starts, steps)))]
