"""ARG_MAX and ARG_MIN of int8 and float32 tensors of rank 1..6 into int32, along one axis
(positive or negative, as a 1-element or a scalar tensor).

Inputs are drawn to make ties (int8 from a narrow range half of the time: the first index must
win) and, for float32, +-inf and NaN now and then (a NaN in first place stays, others are never
taken)."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant
from .reduce import small_shape

DTYPES = {"ARG_MAX": ("int8", "float32"), "ARG_MIN": ("int8", "float32")}


def _arg(kind: str):
    def build(rng: np.random.Generator, dtype: str) -> Graph:
        dims = small_shape(rng, 1, 6)
        rank = len(dims)
        axis = int(rng.integers(0, rank))
        value = axis - rank if rng.random() < 0.4 else axis
        axis_shape = () if rng.random() < 0.3 else (1,)
        out = tuple(d for k, d in enumerate(dims) if k != axis)
        tensors = [Tensor("input", dims, dtype, act_quant(rng, dtype)),
                   Tensor("axis", axis_shape, "int32", None,
                          np.array([value], np.int32).reshape(axis_shape)),
                   Tensor("output", out, "int32")]
        options = {"output_type": 2}  # TensorType INT32
        return Graph(kind.lower(), tensors, [Op(kind, [0, 1], [2], options)], [0], [2])
    return build


def _inputs(rng: np.random.Generator, graph: Graph) -> list[np.ndarray]:
    t = graph.tensors[graph.inputs[0]]
    if t.dtype == "int8":
        lo = int(rng.integers(-128, 128)) if rng.random() < 0.5 else -128
        hi = min(127, lo + int(rng.integers(1, 6))) if lo != -128 else 127
        return [rng.integers(lo, hi + 1, t.shape).astype(np.int8)]
    x = rng.normal(0.0, 3.0, t.shape).astype(np.float32)
    mask = rng.random(x.shape) < 0.1
    x[mask] = rng.choice(np.array([np.inf, -np.inf, np.nan, 0.0, -0.0], np.float32),
                         int(mask.sum()))
    return [x]


BUILDERS = {kind: _arg(kind) for kind in DTYPES}
INPUTS = {kind: _inputs for kind in DTYPES}
