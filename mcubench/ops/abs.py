"""ABS: int8 and int16 (quantized), float32, any shape (TFLite Micro's elementwise ABS).

Quantized: |x - input zero point|, requantized to the output scale when it differs from the input's
(QuantizeMultiplier of their ratio in double), plus the output zero point, clamped; int16 is
symmetric (zero points 0). An int16 tensor without quantization takes a plain |x| (wrapping at
-32768, as TFLite Micro's std::abs on int16). float32 clears the sign bit (fabs)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32, OpSpec
from .common.cstruct import I32, Struct, fields
from .common.elementwise import activations
from .common.qmath import SHORT, qparams, requant_multiplier

TYPES = ("int8", "int16", "float32")
PARAMS = Struct(
    "mb_abs_params", "ABS of int8 or int16: the input's zero point subtracted, the magnitude "
                     "requantized (rescale 1) or kept, the output's zero point added, clamped.",
    fields(I32, "input_offset", "output_offset", doc="the zero points"),
    fields(I32, "mult", "shift", doc="input scale / output scale, where rescale is 1"),
    fields(I32, "rescale", "quantized", doc="scales differ; 0: int16 without quantization"))


def params(graph: Graph, op: Op) -> dict:
    """mb_abs_params (int8, int16) as TFLite Micro's PrepareAbsRsqrt computes them."""
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.dtype == "int16" and x.quant is None:
        return {"input_offset": 0, "output_offset": 0, "mult": 0, "shift": 0, "rescale": 0,
                "quantized": 0}
    (si, zi), (so, zo) = qparams(x), qparams(y)
    rescale = int(si != so)
    mult, shift = requant_multiplier(si, so) if rescale else (0, 0)
    return {"input_offset": zi, "output_offset": zo, "mult": mult, "shift": shift,
            "rescale": rescale, "quantized": 1}


class Abs(OpSpec, kind="ABS", types=INT8_INT16_F32, note="int16 quantized or not"):
    header = "mb_abs.h"
    kernels = ("abs.c", "abs_f32.c")
    record_struct = PARAMS

    def check(self, graph: Graph, op: Op) -> None:
        x, y = activations(graph, op)
        if x.dtype != y.dtype or x.dtype not in TYPES:
            raise ValueError(f"{x.dtype} -> {y.dtype}; supported: {', '.join(TYPES)}, the same "
                             "in and out")
        if x.dtype == "int16" and (x.quant is None) != (y.quant is None):
            raise ValueError("int16 input and output must both be quantized or both not")
        if x.dtype != "float32":
            params(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        x, y = op.inputs[0], op.outputs[0]
        dtype = gen.g.tensors[x].dtype
        gen.use(*(("kernels/abs_f32.c",) if dtype == "float32" else
                  ("kernels/abs.c", "kernels/requant.c")))
        args = ""
        if dtype != "float32":
            args = gen.struct(f"op{i}_params", PARAMS(**params(gen.g, op))) + ", "
        gen.calls.append(f"  mb_abs_{SHORT[dtype]}({args}{gen.g.tensors[y].size}, "
                         f"{gen.act(x, True)}, {gen.act(y, False)});")

    def interp_records(self, graph: Graph, op: Op) -> int:
        return 0 if graph.tensors[op.inputs[0]].dtype == "float32" else \
            super().interp_records(graph, op)

    def interp_record(self, graph: Graph, op: Op) -> tuple | None:
        return None if graph.tensors[op.inputs[0]].dtype == "float32" else \
            super().interp_record(graph, op)

    def record_values(self, graph: Graph, op: Op) -> dict:
        return params(graph, op)
