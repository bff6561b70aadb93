"""MEAN over one or two axes (TFLite Micro resolves at most two distinct axes) of rank 1..4
tensors, int8, int16 and float32; keep_dims either way.

A third of the graphs are the 4-D mean over H and W (global average pooling); axes come positive or
negative, sometimes repeated, and a single axis sometimes as a scalar tensor. Integer output
quantization is the input's in a third of the graphs (older TFLite Micro releases took a plain
truncating mean there; the current one requantizes as always), else a converter's narrower range (a
mean spreads less than its inputs)."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, log_uniform, q, shape

DTYPES = {"MEAN": ("int8", "int16", "float32")}


def _mean(rng: np.random.Generator, dtype: str) -> Graph:
    if rng.random() < 1 / 3:  # global average pooling
        dims = (int(rng.integers(1, 3)), *(int(d) for d in rng.integers(1, 13, 2)),
                int(rng.integers(1, 17)))
        reduced = [1, 2] if rng.random() < 0.5 else [2, 1]
    else:
        dims = shape(rng, 1, 4)
        n = 1 if len(dims) == 1 or rng.random() < 0.5 else 2
        reduced = [int(a) for a in rng.choice(len(dims), n, replace=False)]
    rank = len(dims)
    axes = [a - rank if rng.random() < 0.4 else a for a in reduced]
    if rng.random() < 0.1:  # a repeated axis, written the other way
        axes.append(reduced[0] - rank if axes[0] >= 0 else reduced[0])
    keep = bool(rng.random() < 0.5)
    out = tuple(1 if k in reduced else d for k, d in enumerate(dims)) if keep else \
        tuple(d for k, d in enumerate(dims) if k not in reduced)
    axis_shape = () if len(axes) == 1 and rng.random() < 0.3 else (len(axes),)
    qin = act_quant(rng, dtype)
    qout = qin
    if qin is not None and rng.random() < 2 / 3:
        ratio = float(log_uniform(rng, 0.15, 1.2))
        zp = 0 if dtype == "int16" else int(rng.integers(-128, 128))
        qout = q(float(qin.scale[0]) * ratio, zp)
    tensors = [Tensor("input", dims, dtype, qin),
               Tensor("axis", axis_shape, "int32", None,
                      np.array(axes, np.int32).reshape(axis_shape)),
               Tensor("output", out, dtype, qout)]
    return Graph("mean", tensors, [Op("MEAN", [0, 1], [2], {"keep_dims": keep})], [0], [2])


BUILDERS = {"MEAN": _mean}
