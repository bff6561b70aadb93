"""SPLIT_V into parts of given sizes (one of them may be -1) along a constant axis: one copy per
output (the interpreter's prepare is runtime/interp/mbi_op_split.c, shared with SPLIT)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32
from .common.move import Copy, Move, axis_index, check_split_shapes, const_ints, split_copies


class SplitV(Move, kind="SPLIT_V", types=INT8_INT16_F32):
    source = "mbi_op_split.c"

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 3 or not op.outputs:
            raise ValueError("needs inputs (input, size_splits, axis) and at least one output")
        (x,), ys = self.io(graph, op, [0], range(len(op.outputs)))
        axis = const_ints(graph, op.inputs[2], "axis")
        if len(axis) != 1:
            raise ValueError(f"axis has {len(axis)} values, expected one")
        a = axis_index(axis[0], len(x.shape))
        n = int(op.options.get("num_splits", 0)) or len(ys)
        if n != len(ys):
            raise ValueError(f"num_splits={n} with {len(ys)} outputs")
        check_split_shapes(x, ys, a)
        sizes_t = graph.tensor(op.inputs[1])
        if sizes_t is not None and sizes_t.is_const:  # else TFLite Micro goes by the outputs too
            sizes = const_ints(graph, op.inputs[1], "size_splits", allow64=True)
            if sizes.count(-1) == 1:
                sizes[sizes.index(-1)] = int(x.shape[a]) - (sum(sizes) + 1)
            if sizes != [int(y.shape[a]) for y in ys]:
                raise ValueError(f"size_splits {sizes} does not match the outputs' sizes "
                                 f"{[int(y.shape[a]) for y in ys]} along axis {a}")
        return split_copies(op.inputs[0], x, a, list(op.outputs), graph)
