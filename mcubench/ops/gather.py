"""GATHER of an int8 or float32 tensor (constant or activation, rank 1..6) by int32 positions
(constant or activation) along `axis`, with `batch_dims` leading dimensions shared by both, as
TFLite Micro's Gather: the output is input[:axis] + positions[batch_dims:] + input[axis+1:], each
selected slice copied unchanged (quantized values keep their bytes).

TFLite Micro's checks are LOAD errors here (position type, input type, axis and batch_dims ranges,
equal batch dimensions). A position outside [0, axis extent) is only a debug assertion in TFLite
Micro (its release build reads outside the input); mcubench's kernel reads nothing outside and
makes invoke fail with MB_ERR_INDEX (8) instead."""
from __future__ import annotations

from math import prod

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.cstruct import I32, Struct, fields
from .common.reduce import ELEM_BYTES, OneCall, gather_output, gathered, indices, operand

PARAMS = Struct(
    "mb_gather_params", "GATHER: the input is batch x outer x extent x inner elements, the "
                        "positions batch x coords, the output batch x outer x coords x inner.",
    fields(I32, "batch", "outer", "extent", "coords"),
    fields(I32, "inner_bytes", doc="bytes of one gathered slice"))


def gather_params(graph: Graph, op: Op) -> dict:
    """mb_gather_params, with TFLite Micro's GatherPrepare checks."""
    if len(op.inputs) != 2:
        raise ValueError("needs an input and a positions tensor")
    x = gathered(graph, op.inputs[0], "input")
    pos = indices(graph, op.inputs[1], "positions")
    rank, prank = len(x.shape), len(pos.shape)
    axis = int(op.options.get("axis", 0))
    axis += rank if axis < 0 else 0
    if not 0 <= axis < rank:
        raise ValueError(f"axis {op.options.get('axis', 0)} for input rank {rank}")
    batch_dims = int(op.options.get("batch_dims", 0))
    batch_dims += prank if batch_dims < 0 else 0
    if not 0 <= batch_dims <= min(axis, prank) or batch_dims >= rank:
        raise ValueError(f"batch_dims {op.options.get('batch_dims', 0)}: TFLite Micro needs "
                         f"0 <= batch_dims <= axis ({axis}), < input rank, <= positions rank")
    if tuple(x.shape[:batch_dims]) != tuple(pos.shape[:batch_dims]):
        raise ValueError(f"batch dimensions differ: input {list(x.shape)}, positions "
                         f"{list(pos.shape)}")
    out = (*x.shape[:axis], *pos.shape[batch_dims:], *x.shape[axis + 1:])
    gather_output(graph, op, out, x.dtype)
    return {"batch": prod(x.shape[:batch_dims]), "outer": prod(x.shape[batch_dims:axis]),
            "extent": x.shape[axis], "coords": prod(pos.shape[batch_dims:]),
            "inner_bytes": prod(x.shape[axis + 1:]) * ELEM_BYTES[x.dtype]}


class Gather(OneCall, kind="GATHER", types=INT8_F32):
    header = "mb_gather.h"
    kernels = ("gather.c",)
    interp_sources = ("mbi_gather.h", "mbi_gather.c", "mbi_op_gather.c")
    record_struct = PARAMS
    fallible = True

    def params(self, graph: Graph, op: Op) -> dict:
        return gather_params(graph, op)

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        return "mb_gather", ("kernels/gather.c",)

    def operands(self, gen, op: Op) -> list[str]:
        return [operand(gen, op.inputs[0]), operand(gen, op.inputs[1], "int32_t")]
