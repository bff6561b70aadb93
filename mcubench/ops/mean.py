"""MEAN over one or several axes (a constant int32 axis tensor, negative axes allowed) of an int8,
int16 or float32 tensor of rank 1..4, with or without keep_dims.

Integers follow TFLite Micro's QuantizedMeanOrSum, the one path its current reference kernel takes
for every shape and quantization: 1/count is folded into the requantization multiplier of input
scale / output scale (shifted left by floor(log2(count)), at most 32 and at most 31 + shift, then
integer-divided by the count). Older TFLite Micro releases had two more integer paths, a plain
truncating mean when input and output quantization are equal and a special 4-D mean over H and W
(requantize, then divide with rounding); the PyPI release the tests compare with takes neither, so
neither is reproduced. float32 sums in the input's memory order as TFLite Micro does, so it is exact
too."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op, Tensor
from .base import INT8_INT16_F32, OpSpec
from .common.cstruct import I32, Struct, fields
from .common.qmath import SHORT, qparams, requant_multiplier

PARAMS = Struct(
    "mb_mean_params", "MEAN over any set of axes of a tensor of rank 1..4 seen as 4-D: per axis, "
                      "`outer` is its extent in the output (the size if kept, else 1) and `inner` "
                      "its extent within one mean (the size if reduced, else 1).",
    fields(I32, "outer", "inner", count=4),
    fields(I32, "count", doc="inputs per mean: the product of inner"),
    fields(I32, "input_zp", "output_zp"),
    fields(I32, "mult", "shift", doc="input scale / (output scale x count), as "
                                     "QuantizedMeanOrSum folds it"))


def _axes(graph: Graph, op: Op) -> tuple[Tensor, Tensor, set[int]]:
    """Input, output and the reduced axes, normalized to 0..rank-1."""
    if len(op.inputs) != 2 or min(op.inputs) < 0 or len(op.outputs) != 1:
        raise ValueError("needs an input, an axis tensor and one output")
    x, axis, y = (graph.tensors[t] for t in (op.inputs[0], op.inputs[1], op.outputs[0]))
    if x.is_const or y.is_const:
        raise ValueError("constant input or output; expected activations")
    if not axis.is_const or axis.dtype != "int32":
        raise ValueError(f"axis {axis.name!r} must be a constant int32 tensor (is {axis.dtype}"
                         f"{'' if axis.is_const else ', not constant'})")
    rank = len(x.shape)
    if not 1 <= rank <= 4 or 0 in x.shape:
        raise ValueError(f"input shape {list(x.shape)}: expected rank 1..4, no empty axis")
    values = [int(a) for a in np.asarray(axis.data).ravel()]
    if not values or any(not -rank <= a < rank for a in values):
        raise ValueError(f"axes {values} for rank {rank}: each must be in [{-rank}, {rank})")
    reduced = {a % rank for a in values}
    if y.size != x.size // int(np.prod([x.shape[a] for a in reduced])):
        raise ValueError(f"output {list(y.shape)} does not fit the mean of {list(x.shape)} over "
                         f"axes {values}")
    return x, y, reduced


def mean_params(graph: Graph, op: Op) -> dict:
    """mb_mean_params: extents per (4-D padded) axis and the requantization TFLite Micro uses."""
    x, y, reduced = _axes(graph, op)
    if x.dtype != y.dtype or x.dtype not in SHORT:
        raise ValueError(f"{x.dtype} -> {y.dtype}; supported: int8, int16 or float32, the same "
                         "type in and out")
    pad = 4 - len(x.shape)
    dims = [1] * pad + [int(d) for d in x.shape]
    red = {a + pad for a in reduced}
    outer = [1 if k in red else d for k, d in enumerate(dims)]
    inner = [d if k in red else 1 for k, d in enumerate(dims)]
    count = int(np.prod(inner))
    p = {"outer": outer, "inner": inner, "count": count, "input_zp": 0, "output_zp": 0,
         "mult": 0, "shift": 0}
    if x.dtype == "float32":
        return p
    (si, zi), (so, zo) = qparams(x), qparams(y)
    mult, shift = requant_multiplier(si, so)
    # QuantizedMeanOrSum: 1/count folded into the multiplier, keeping its precision
    up = min(count.bit_length() - 1, 32, 31 + shift)
    p.update(input_zp=zi, output_zp=zo, mult=(mult << up) // count, shift=shift - up)
    return p


class Mean(OpSpec, kind="MEAN", types=INT8_INT16_F32):
    options = "ReducerOptions"
    header = "mb_reduce.h"
    kernels = ("mean.c", "mean_f32.c")
    record_struct = PARAMS

    def check(self, graph: Graph, op: Op) -> None:
        mean_params(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        x, y = op.inputs[0], op.outputs[0]
        dtype = gen.g.tensors[x].dtype
        gen.use(*(("kernels/mean_f32.c",) if dtype == "float32" else
                  ("kernels/mean.c", "kernels/requant.c")))
        gen.struct(f"op{i}_params", PARAMS(**mean_params(gen.g, op)))
        gen.calls.append(f"  mb_mean_{SHORT[dtype]}(&op{i}_params, {gen.act(x, True)}, "
                         f"{gen.act(y, False)});")

    def record_values(self, graph: Graph, op: Op) -> dict:
        return mean_params(graph, op)
