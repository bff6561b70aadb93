"""DEQUANTIZE: int8 or int16 to float32, scale * (q - zero point) in float32 (TFLite Micro's
Dequantize), per tensor, any shape."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import OpSpec
from .common.cstruct import F32, I32, Struct, fields
from .common.elementwise import activations
from .common.qmath import QUANT_TYPES, SHORT, qparams

PARAMS = Struct("mb_dequantize_params", "DEQUANTIZE (int8/int16 in, float32 out).",
                fields(F32, "scale"), fields(I32, "zero_point"))


class Dequantize(OpSpec, kind="DEQUANTIZE"):
    options = None
    types = ("int8->float32", "int16->float32")
    header = "mb_quantize.h"
    kernels = ("dequantize.c",)
    record_struct = PARAMS

    def check(self, graph: Graph, op: Op) -> None:
        x, y = activations(graph, op)
        if x.dtype not in QUANT_TYPES or y.dtype != "float32":
            raise ValueError(f"{x.dtype} -> {y.dtype}; supported: int8 or int16 to float32")
        qparams(x)

    def emit(self, gen, i: int, op: Op) -> None:
        x, y = op.inputs[0], op.outputs[0]
        gen.use("kernels/dequantize.c")
        gen.struct(f"op{i}_params", PARAMS(**self.record_values(gen.g, op)))
        gen.calls.append(f"  mb_dequantize_{SHORT[gen.g.tensors[x].dtype]}_f32(&op{i}_params, "
                         f"{gen.g.tensors[y].size}, {gen.act(x, True)}, {gen.act(y, False)});")

    def record_values(self, graph: Graph, op: Op) -> dict:
        scale, zp = qparams(graph.tensors[op.inputs[0]])
        return {"scale": scale, "zero_point": zp}
