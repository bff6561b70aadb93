"""CONCATENATION of 1..10 inputs (TFLite Micro's kMaxInputNum) along an axis: one copy per
input. int8 inputs must share the output's scale and zero point (bytes are copied), int16 zero
points 0; no fused activation (TFLite Micro supports NONE only)."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op, Tensor
from .base import INT8_INT16_F32
from .common.move import Copy, Move, axis_index, dense_steps

MAX_INPUTS = 10  # TFLite Micro's kMaxInputNum


class Concatenation(Move, kind="CONCATENATION", types=INT8_INT16_F32):

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if not 1 <= len(op.inputs) <= MAX_INPUTS or len(op.outputs) != 1:
            raise ValueError(f"has {len(op.inputs)} inputs; TFLite Micro takes 1.."
                             f"{MAX_INPUTS} (and one output)")
        xs, (y,) = self.io(graph, op, range(len(op.inputs)), [0])
        act = op.options.get("fused_activation_function", "NONE")
        if act not in ("NONE", 0):
            raise ValueError(f"fused activation {act}: TFLite Micro supports NONE only")
        a = axis_index(int(op.options.get("axis", 0)), len(y.shape))
        offset, steps, copies = 0, dense_steps(y.shape), []
        for t, x in zip(op.inputs, xs):
            if len(x.shape) != len(y.shape) or any(
                    p != q for k, (p, q) in enumerate(zip(x.shape, y.shape)) if k != a):
                raise ValueError(f"input shape {list(x.shape)} does not fit output "
                                 f"{list(y.shape)} outside axis {a}")
            self._quant(x, y)
            copies.append(Copy(t, op.outputs[0], list(x.shape), dense_steps(x.shape), steps,
                               out_offset=offset * steps[a]))
            offset += int(x.shape[a])
        if offset != y.shape[a]:
            raise ValueError(f"inputs add up to {offset} along axis {a}, the output has "
                             f"{y.shape[a]}")
        return copies

    @staticmethod
    def _quant(x: Tensor, y: Tensor) -> None:
        """TFLite Micro copies bytes, so it insists that they mean the same in and out."""
        def sz(t: Tensor) -> tuple[float, int]:
            if t.quant is None:
                return 0.0, 0
            return float(np.float32(t.quant.scale[0])), int(t.quant.zero_point[0])
        if x.dtype == "int8" and sz(x) != sz(y):
            raise ValueError(f"int8 input {x.name!r} (scale, zero point) {sz(x)} differs from the "
                             f"output's {sz(y)}; TFLite Micro requires them equal")
        if x.dtype == "int16" and (sz(x)[1] or sz(y)[1]):
            raise ValueError("int16 zero points must be 0 (TFLite Micro)")
