"""GATHER_ND of an int8 or float32 tensor (constant or activation, rank 1..6) by an int32 index
tensor (constant or activation) whose last axis (1..5 long, at most the data's rank) indexes the
data's leading axes, as TFLite Micro's GatherNd: the output is indices.shape[:-1] +
data.shape[depth:], each selected slice copied unchanged.

TFLite Micro checks only that each slice lies inside the data as a whole (its flat position, not
every index component), and fails invoke otherwise; mcubench's kernel does exactly that, failing
invoke with MB_ERR_INDEX (8). Its other checks are LOAD errors here."""
from __future__ import annotations

from math import prod

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.cstruct import I32, Const, Struct, fields
from .common.reduce import ELEM_BYTES, OneCall, gather_output, gathered, indices, operand

MAX_DEPTH = Const("MB_GATHER_ND_DEPTH", 5, "index components per slice (TFLite Micro's "
                                          "MAX_INDICES_ND)")
PARAMS = Struct(
    "mb_gather_nd_params", "GATHER_ND: `slices` index rows of `depth` components each; a row "
                           "selects the slice_elems elements at sum(index[j] x stride[j]).",
    fields(I32, "slices", "depth", "slice_elems", "elem_bytes"),
    fields(I32, "flat", doc="the data's elements: every slice must lie inside"),
    fields(I32, "stride", count=MAX_DEPTH, doc="elements per step of each indexed axis"))


def gather_nd_params(graph: Graph, op: Op) -> dict:
    """mb_gather_nd_params, with TFLite Micro's GatherNdPrepare checks."""
    if len(op.inputs) != 2:
        raise ValueError("needs a data and an indices tensor")
    x = gathered(graph, op.inputs[0], "data")
    idx = indices(graph, op.inputs[1], "indices")
    if not idx.shape:
        raise ValueError("indices must be at least a vector (TFLite Micro refuses a scalar)")
    depth = int(idx.shape[-1])
    if not 1 <= depth <= min(len(x.shape), MAX_DEPTH.value):
        raise ValueError(f"indices' last axis is {depth} long; TFLite Micro needs at most the "
                         f"data's rank ({len(x.shape)}) and at most {MAX_DEPTH.value}")
    gather_output(graph, op, (*idx.shape[:-1], *x.shape[depth:]), x.dtype)
    strides = [prod(x.shape[j + 1:]) for j in range(depth)]
    return {"slices": prod(idx.shape[:-1]), "depth": depth, "slice_elems": prod(x.shape[depth:]),
            "elem_bytes": ELEM_BYTES[x.dtype], "flat": x.size,
            "stride": strides + [0] * (MAX_DEPTH.value - depth)}


class GatherNd(OneCall, kind="GATHER_ND", types=INT8_F32):
    header = "mb_gather.h"
    kernels = ("gather_nd.c",)
    interp_sources = ("mbi_gather.h", "mbi_gather.c", "mbi_op_gather_nd.c")
    record_struct = PARAMS
    fallible = True

    def params(self, graph: Graph, op: Op) -> dict:
        return gather_nd_params(graph, op)

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        return "mb_gather_nd", ("kernels/gather_nd.c",)

    def operands(self, gen, op: Op) -> list[str]:
        return [operand(gen, op.inputs[0]), operand(gen, op.inputs[1], "int32_t")]
