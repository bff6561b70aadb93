"""PAD: the output filled with the pad value (TFLite Micro's: constant_values if given, else the
int8 output's zero point, 0 for int16 and 0.0 for float32), then the input copied into its middle;
ranks up to 5. int64 paddings are read as what they are (TFLite Micro misreads them as int32)."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32
from .common.move import Copy, Move, const_ints, dense_steps


class Pad(Move, kind="PAD", types=INT8_INT16_F32):
    max_rank = 5  # TFLite Micro's PadKernelMaxDimensionCount

    def _parts(self, graph: Graph, op: Op):
        if len(op.inputs) not in (2, 3) or len(op.outputs) != 1:
            raise ValueError("needs inputs (input, paddings[, constant_values]) and one output")
        (x,), (y,) = self.io(graph, op, [0], [0])
        r = len(x.shape)
        pads = const_ints(graph, op.inputs[1], "paddings", allow64=True)
        if len(pads) != 2 * r or len(y.shape) != r:
            raise ValueError(f"paddings has {len(pads)} values for input rank {r} and output rank "
                             f"{len(y.shape)}; needs one (before, after) pair per dimension")
        if min(pads) < 0:
            raise ValueError(f"paddings {pads} has a negative value")
        want = [int(d) + pads[2 * k] + pads[2 * k + 1] for k, d in enumerate(x.shape)]
        if list(y.shape) != want:
            raise ValueError(f"output shape {list(y.shape)} is not the padded {want}")
        return x, y, pads

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        x, y, pads = self._parts(graph, op)
        self.fill(graph, op)
        steps = dense_steps(y.shape)
        return [Copy(op.inputs[0], op.outputs[0], list(x.shape), dense_steps(x.shape), steps,
                     out_offset=sum(pads[2 * k] * s for k, s in enumerate(steps)))]

    def fill(self, graph: Graph, op: Op) -> bytes:
        """TFLite Micro's pad value: constant_values if given, else the int8 output's zero point,
        0 for int16 and 0.0 for float32."""
        x, y, _ = self._parts(graph, op)
        dtype = np.dtype(y.dtype).newbyteorder("<")
        if len(op.inputs) == 3 and op.inputs[2] >= 0:
            c = graph.tensors[op.inputs[2]]
            if not c.is_const or c.dtype != y.dtype or c.size != 1:
                raise ValueError(f"constant_values must be one constant {y.dtype} value")
            if y.dtype == "int8" and (c.quant is None or y.quant is None or
                                      np.float32(c.quant.scale[0]) != np.float32(y.quant.scale[0])
                                      or int(c.quant.zero_point[0]) != int(y.quant.zero_point[0])):
                raise ValueError("int8 constant_values needs the output's scale and zero point "
                                 "(TFLite Micro)")
            return np.asarray(c.data, dtype).reshape(-1)[:1].tobytes()
        zp = int(y.quant.zero_point[0]) if y.dtype == "int8" and y.quant is not None else 0
        return np.array([zp], dtype).tobytes()
