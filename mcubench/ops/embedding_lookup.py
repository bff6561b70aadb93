"""EMBEDDING_LOOKUP: rows of a value tensor (rank 2..6, constant or activation) picked by a 1-D
int32 lookup tensor, as TFLite Micro's EmbeddingLookup: float32 -> float32 and int8 -> int8 copy
the rows unchanged; int8 -> float32 (its hybrid path) dequantizes them, (value - 0) x scale in
float, which needs the value's zero point 0.

TFLite Micro fails invoke on a lookup outside [0, rows); so does mcubench, with MB_ERR_INDEX (8).
Its prepare's checks (ranks, types, the output's room) are LOAD errors here."""
from __future__ import annotations

from math import prod

import numpy as np

from ..ir.graph import Graph, Op
from .common.cstruct import F32, I32, Struct, fields
from .common.reduce import ELEM_BYTES, OneCall, gather_output, gathered, indices, operand

PARAMS = Struct(
    "mb_embedding_lookup_params", "EMBEDDING_LOOKUP: `lookups` rows of `columns` elements out "
                                  "of `rows`.",
    fields(I32, "lookups", "rows", "columns", "elem_bytes"),
    fields(I32, "dequantize", doc="1: int8 rows written as float32 (value - 0) x scale"),
    fields(F32, "scale"))


def lookup_params(graph: Graph, op: Op) -> dict:
    """mb_embedding_lookup_params, with TFLite Micro's EmbeddingLookUpPrepare checks."""
    if len(op.inputs) != 2:
        raise ValueError("needs a lookup and a value tensor")
    ids = indices(graph, op.inputs[0], "lookup")
    if len(ids.shape) != 1:
        raise ValueError(f"lookup {ids.name!r} has shape {list(ids.shape)}; TFLite Micro needs "
                         "rank 1")
    v = gathered(graph, op.inputs[1], "value")
    if len(v.shape) < 2:
        raise ValueError(f"value {v.name!r} has rank {len(v.shape)}; TFLite Micro needs 2 or more")
    out_type = graph.tensors[op.outputs[0]].dtype if len(op.outputs) == 1 else "?"
    if out_type not in (v.dtype, "float32"):
        raise ValueError(f"{v.dtype} -> {out_type}; TFLite Micro takes float32 -> float32, "
                         "int8 -> int8 and int8 -> float32")
    y = gather_output(graph, op, (ids.shape[0], *v.shape[1:]), out_type)
    if len(y.shape) < len(v.shape):
        raise ValueError(f"output rank {len(y.shape)} is below the value's {len(v.shape)} "
                         "(TFLite Micro refuses it)")
    dequantize = v.dtype == "int8" and out_type == "float32"
    scale = 0.0
    if dequantize:
        if v.quant is None or v.quant.per_channel or int(v.quant.zero_point[0]) != 0:
            raise ValueError(f"value {v.name!r}: int8 -> float32 needs one scale and zero point "
                             "0 (TFLite Micro refuses others)")
        scale = float(np.float32(v.quant.scale[0]))
    return {"lookups": ids.shape[0], "rows": v.shape[0], "columns": prod(v.shape[1:]),
            "elem_bytes": ELEM_BYTES[v.dtype], "dequantize": int(dequantize), "scale": scale}


class EmbeddingLookup(OneCall, kind="EMBEDDING_LOOKUP",
                      types=("int8", "int8->float32", "float32")):
    header = "mb_gather.h"
    kernels = ("embedding_lookup.c",)
    interp_sources = ("mbi_gather.h", "mbi_gather.c", "mbi_op_embedding_lookup.c")
    record_struct = PARAMS
    fallible = True

    def params(self, graph: Graph, op: Op) -> dict:
        return lookup_params(graph, op)

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        return "mb_embedding_lookup", ("kernels/embedding_lookup.c",)

    def operands(self, gen, op: Op) -> list[str]:
        return [operand(gen, op.inputs[0], "int32_t"), operand(gen, op.inputs[1])]
