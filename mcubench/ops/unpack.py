"""UNPACK: one copy per slice of the input along an axis."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32
from .common.move import Copy, Move, axis_index, dense_steps


class Unpack(Move, kind="UNPACK", types=INT8_INT16_F32):

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 1 or not op.outputs:
            raise ValueError("needs one input and at least one output")
        (x,), ys = self.io(graph, op, [0], range(len(op.outputs)),
                           out_rank=(0, self.max_rank - 1))
        a = axis_index(int(op.options.get("axis", 0)), len(x.shape))
        num = int(op.options.get("num", 0))  # TFLite Micro writes `num` outputs
        if not num == len(ys) == x.shape[a]:
            raise ValueError(f"num={num} with {len(ys)} outputs, the input has {x.shape[a]} "
                             f"along axis {a}")
        want = tuple(d for k, d in enumerate(x.shape) if k != a)
        for y in ys:
            if tuple(y.shape) != want:
                raise ValueError(f"output {y.name!r} has shape {list(y.shape)}, expected "
                                 f"{list(want)}")
        steps = dense_steps(x.shape)
        box = [1 if k == a else int(d) for k, d in enumerate(x.shape)]
        return [Copy(op.inputs[0], t, box, steps, dense_steps(box), in_offset=k * steps[a])
                for k, t in enumerate(op.outputs)]
