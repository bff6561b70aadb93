"""SPLIT into equal parts along a constant axis: one copy per output."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32
from .common.move import Copy, Move, axis_index, check_split_shapes, const_ints, split_copies


class Split(Move, kind="SPLIT", types=INT8_INT16_F32):

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 2 or not op.outputs:
            raise ValueError("needs inputs (axis, input) and at least one output")
        (x,), ys = self.io(graph, op, [1], range(len(op.outputs)))
        axis = const_ints(graph, op.inputs[0], "axis")
        if len(axis) != 1:
            raise ValueError(f"axis has {len(axis)} values, expected one")
        a = axis_index(axis[0], len(x.shape))
        n = int(op.options.get("num_splits", 0)) or len(ys)  # 0: not given
        if n != len(ys) or x.shape[a] % n:
            raise ValueError(f"num_splits={n} with {len(ys)} outputs for a dimension of "
                             f"{x.shape[a]}: needs one output per equal part")
        if any(tuple(y.shape) != tuple(ys[0].shape) for y in ys):
            raise ValueError("outputs of different shapes; SPLIT makes equal parts")
        check_split_shapes(x, ys, a)
        return split_copies(op.inputs[1], x, a, list(op.outputs), graph)
