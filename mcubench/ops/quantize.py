"""QUANTIZE: float32 (TFLite's AffineQuantize: round(x / scale) + zero point in float32) or an
integer tensor (Requantize: a fixed-point multiplier of input scale / output scale) to int8 or
int16. Per-tensor, as TFLite Micro requires; int16 tensors symmetric (zero point 0), as the
converter makes them. The kernels work element by element, so any shape goes."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import OpSpec
from .common.cstruct import F32, I32, Struct, fields
from .common.elementwise import activations
from .common.qmath import QUANT_TYPES, SHORT, qparams, requant_multiplier

PARAMS = Struct(
    "mb_quantize_params", "QUANTIZE (float32 or int8/int16 in, int8/int16 out).",
    fields(F32, "scale", doc="float input: the output's scale"),
    fields(I32, "input_offset", doc="integer input: -(input zero point)"),
    fields(I32, "mult", "shift", doc="integer input: input scale / output scale as mb_requantize "
                                     "takes it"),
    fields(I32, "output_zp"))


def params(graph: Graph, op: Op) -> dict:
    """mb_quantize_params: the output's scale for float input, else the requantization."""
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    out_scale, out_zp = qparams(y)
    if x.dtype == "float32":
        return {"scale": out_scale, "input_offset": 0, "mult": 0, "shift": 0, "output_zp": out_zp}
    in_scale, in_zp = qparams(x)
    mult, shift = requant_multiplier(in_scale, out_scale)
    return {"scale": 0.0, "input_offset": -in_zp, "mult": mult, "shift": shift,
            "output_zp": out_zp}


class Quantize(OpSpec, kind="QUANTIZE"):
    options = None  # (the schema's QuantizeOptions table is empty)
    types = ("float32->int8", "float32->int16", "int8->int8", "int8->int16", "int16->int8",
             "int16->int16")
    header = "mb_quantize.h"
    kernels = ("quantize_f32.c", "quantize.c")
    record_struct = PARAMS

    def check(self, graph: Graph, op: Op) -> None:
        x, y = activations(graph, op)
        if x.dtype not in ("float32",) + QUANT_TYPES or y.dtype not in QUANT_TYPES:
            raise ValueError(f"{x.dtype} -> {y.dtype}; supported: float32, int8 or int16 to int8 "
                             "or int16")
        params(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        x, y = op.inputs[0], op.outputs[0]
        src, dst = gen.g.tensors[x].dtype, gen.g.tensors[y].dtype
        gen.use(*(("kernels/quantize_f32.c",) if src == "float32" else
                  ("kernels/quantize.c", "kernels/requant.c")))
        gen.struct(f"op{i}_params", PARAMS(**params(gen.g, op)))
        gen.calls.append(f"  mb_quantize_{SHORT[src]}_{SHORT[dst]}(&op{i}_params, "
                         f"{gen.g.tensors[y].size}, {gen.act(x, True)}, {gen.act(y, False)});")

    def record_values(self, graph: Graph, op: Op) -> dict:
        return params(graph, op)
