"""TRANSPOSE: the input's steps permuted, one strided copy; ranks 1..5 (TFLite Micro's limit), a
constant int32 perm."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32
from .common.move import Copy, Move, const_ints, dense_steps


class Transpose(Move, kind="TRANSPOSE", types=INT8_INT16_F32):
    max_rank = 5  # TFLite Micro: "only supports 1D-5D input arrays"

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 2 or len(op.outputs) != 1:
            raise ValueError("needs inputs (input, perm) and one output")
        (x,), (y,) = self.io(graph, op, [0], [0])
        perm = const_ints(graph, op.inputs[1], "perm")
        r = len(x.shape)
        if sorted(perm) != list(range(r)):
            raise ValueError(f"perm {perm} is not a permutation of 0..{r - 1}")
        want = tuple(x.shape[p] for p in perm)
        if tuple(y.shape) != want:
            raise ValueError(f"output shape {list(y.shape)} is not the permuted {list(want)}")
        steps = dense_steps(x.shape)
        return [Copy(op.inputs[0], op.outputs[0], list(want), [steps[p] for p in perm],
                     dense_steps(want))]
