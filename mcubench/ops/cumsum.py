"""CUMSUM of an int8 or float32 tensor of rank 1..6 along the axis of a constant int32 tensor of
one value (negative allowed), exclusive and/or reverse, as TFLite Micro's reference CumSum.

float32 adds in float along the axis from 0 (exact). int8 is its quantized path: each input
minus the zero point, shifted up 20 bits and halved (input scale / twice the input scale, both
multipliers QuantizeMultiplierSmallerThanOneExp), added into an int32 accumulator (wrapping),
requantized by twice the input scale / (2^20 x output scale), plus the output zero point,
clamped. The accumulator starts not at 0 but at the scaled -zero point, as TFLite Micro's does (so
its int8 results carry one extra -zero point: reproduced, not corrected). An output multiplier of
one or more (output scale at most input scale / 2^19) makes TFLite Micro abort; mcubench refuses
it at LOAD. Other types TFLite Micro refuses, and so does mcubench."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.cstruct import I32, Struct, fields
from .common.qmath import qparams, quantize_multiplier
from .common.reduce import OneCall, activation, const_axes, f32_or_s8, split_at

LEFT_SHIFT = 20  # TFLite Micro's kCumSumIntegerShift
PARAMS = Struct(
    "mb_cumsum_params", "CUMSUM along one axis: the input (and output) is outer x extent x "
                        "inner; int8 as TFLite Micro's quantized CumSum.",
    fields(I32, "outer", "extent", "inner"),
    fields(I32, "exclusive", "reverse", doc="the options, 0 or 1"),
    fields(I32, "input_offset", "output_offset", doc="-input zero point, output zero point"),
    fields(I32, "left_shift", doc="20"),
    fields(I32, "input_mult", "input_shift", "output_mult", "output_shift",
           doc="both multipliers below one (shifts <= 0)"))


def cumsum_params(graph: Graph, op: Op) -> dict:
    """mb_cumsum_params, with the LOAD checks (TFLite Micro's CalculateOpData)."""
    if len(op.inputs) != 2 or min(op.inputs) < 0 or len(op.outputs) != 1:
        raise ValueError("needs an input, an axis tensor and one output")
    x = activation(graph.tensors[op.inputs[0]], "input")
    y = graph.tensors[op.outputs[0]]
    if x.dtype != y.dtype or x.dtype not in Cumsum.types:
        raise ValueError(f"{x.dtype} -> {y.dtype}; TFLite Micro takes int8 or float32, the same "
                         "in and out")
    if y.is_const or tuple(y.shape) != tuple(x.shape):
        raise ValueError(f"output {list(y.shape)}: expected an activation of the input's shape "
                         f"{list(x.shape)}")
    axis = const_axes(graph, op, len(x.shape), one=True)[0] % len(x.shape)
    outer, extent, inner = split_at(x.shape, axis)
    p = {"outer": outer, "extent": extent, "inner": inner,
         "exclusive": int(bool(op.options.get("exclusive", False))),
         "reverse": int(bool(op.options.get("reverse", False))),
         "input_offset": 0, "output_offset": 0, "left_shift": 0, "input_mult": 0,
         "input_shift": 0, "output_mult": 0, "output_shift": 0}
    if x.dtype == "float32":
        return p
    (si, zi), (so, zo) = qparams(x), qparams(y)
    twice = 2 * si
    im, ish = quantize_multiplier(si / twice)
    real = twice / ((1 << LEFT_SHIFT) * so)
    om, osh = quantize_multiplier(real)
    if not 0 < real < 1 or osh > 0:
        raise ValueError(f"output scale {so:g} is too small for input scale {si:g}: TFLite "
                         f"Micro aborts on the multiplier {real:g} (it must be below one)")
    p.update(input_offset=-zi, output_offset=zo, left_shift=LEFT_SHIFT, input_mult=im,
             input_shift=ish, output_mult=om, output_shift=osh)
    return p


class Cumsum(OneCall, kind="CUMSUM", types=INT8_F32):
    header = "mb_cumsum.h"
    kernels = ("cumsum.c", "cumsum_f32.c", "requant.c")
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_cumsum.c")
    record_struct = PARAMS
    kernel_of = f32_or_s8("cumsum", ("kernels/cumsum_f32.c",),
                          ("kernels/cumsum.c", "kernels/requant.c"))

    def params(self, graph: Graph, op: Op) -> dict:
        return cumsum_params(graph, op)
