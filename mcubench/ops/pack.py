"""PACK: one copy per input into its slice of the output along an axis."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32
from .common.move import Copy, Move, axis_index, dense_steps


class Pack(Move, kind="PACK", types=INT8_INT16_F32):

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if not op.inputs or len(op.outputs) != 1:
            raise ValueError("needs at least one input and one output")
        xs, (y,) = self.io(graph, op, range(len(op.inputs)), [0], (0, self.max_rank - 1),
                           (1, self.max_rank))
        n = int(op.options.get("values_count", 0))  # TFLite Micro reads `values_count` inputs
        if n != len(xs):
            raise ValueError(f"values_count={n} with {len(xs)} inputs")
        a = axis_index(int(op.options.get("axis", 0)), len(y.shape))
        shape = tuple(xs[0].shape)
        for x in xs:
            if tuple(x.shape) != shape:
                raise ValueError(f"input {x.name!r} has shape {list(x.shape)}, input 0 "
                                 f"{list(shape)}; PACK needs one shape")
        want = shape[:a] + (len(xs),) + shape[a:]
        if tuple(y.shape) != want:
            raise ValueError(f"output shape {list(y.shape)} is not the packed {list(want)}")
        steps = dense_steps(y.shape)
        box = [1 if k == a else int(d) for k, d in enumerate(y.shape)]
        return [Copy(t, op.outputs[0], box, dense_steps(box), steps, out_offset=k * steps[a])
                for k, t in enumerate(op.inputs)]
