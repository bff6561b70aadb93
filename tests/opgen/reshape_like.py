"""SQUEEZE and EXPAND_DIMS over ranks 1..5 and every element type; RESHAPE of int16 (int8:
tests/opmodels.py, float32: classic_f32.py)."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, shape

DTYPES = {"SQUEEZE": ("int8", "int16", "float32"), "EXPAND_DIMS": ("int8", "int16", "float32"),
          "RESHAPE": ("int16",)}


def _squeeze(rng: np.random.Generator, dtype: str) -> Graph:
    dims = list(shape(rng, 1, 4))
    for _ in range(int(rng.integers(1, 3))):  # insert size-1 axes to squeeze away
        dims.insert(int(rng.integers(0, len(dims) + 1)), 1)
    ones = [k for k, d in enumerate(dims) if d == 1]
    chosen = sorted(rng.choice(ones, int(rng.integers(1, len(ones) + 1)), replace=False).tolist())
    options = {"squeeze_dims": chosen} if rng.random() < 0.7 else {}
    gone = chosen if options else ones
    out = tuple(d for k, d in enumerate(dims) if k not in gone) or (1,)
    if not options and len(out) == 1 and all(d == 1 for d in dims):
        out = ()
    quant = act_quant(rng, dtype)
    tensors = [Tensor("input", tuple(dims), dtype, quant), Tensor("output", out, dtype, quant)]
    return Graph("squeeze", tensors, [Op("SQUEEZE", [0], [1], options)], [0], [1])


def _expand_dims(rng: np.random.Generator, dtype: str) -> Graph:
    dims = shape(rng, 1, 4)
    axis = int(rng.integers(-len(dims) - 1, len(dims) + 1))
    pos = axis if axis >= 0 else len(dims) + 1 + axis
    out = dims[:pos] + (1,) + dims[pos:]
    quant = act_quant(rng, dtype)
    tensors = [Tensor("input", dims, dtype, quant),
               Tensor("axis", (1,), "int32", None, np.array([axis], np.int32)),
               Tensor("output", out, dtype, quant)]
    return Graph("expand_dims", tensors, [Op("EXPAND_DIMS", [0, 1], [2])], [0], [2])


def _reshape(rng: np.random.Generator, dtype: str) -> Graph:
    dims = shape(rng, 1, 5)
    size = int(np.prod(dims))
    split = [d for d in range(1, size + 1) if size % d == 0]
    first = int(rng.choice(split))
    out = (first, size // first) if rng.random() < 0.7 else (size,)
    quant = act_quant(rng, dtype)
    tensors = [Tensor("input", dims, dtype, quant),
               Tensor("shape", (len(out),), "int32", None, np.array(out, np.int32)),
               Tensor("output", out, dtype, quant)]
    return Graph("reshape", tensors, [Op("RESHAPE", [0, 1], [2], {"new_shape": list(out)})],
                 [0], [2])


BUILDERS = {"SQUEEZE": _squeeze, "EXPAND_DIMS": _expand_dims, "RESHAPE": _reshape}
