"""CUMSUM of int8 and float32 tensors of rank 1..6 along one axis (positive or negative, a
1-element or a scalar tensor), exclusive and reverse drawn independently.

int8 output scales are wider than the input's by about the square root of the axis extent (a
running sum spreads), narrower now and then to saturate; zero points anywhere, so TFLite Micro's
extra -zero point at the accumulator's start shows. A fifth of the graphs are one long axis (up
to 300 values) so that running sums grow large."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, log_uniform, q
from .reduce import small_shape

DTYPES = {"CUMSUM": ("int8", "float32")}


def _cumsum(rng: np.random.Generator, dtype: str) -> Graph:
    if rng.random() < 0.2:
        dims = (int(rng.integers(1, 3)), int(rng.integers(20, 301)))
        axis = 1
    else:
        dims = small_shape(rng, 1, 6)
        axis = int(rng.integers(0, len(dims)))
    rank = len(dims)
    value = axis - rank if rng.random() < 0.4 else axis
    axis_shape = () if rng.random() < 0.3 else (1,)
    qin = act_quant(rng, dtype)
    qout = qin
    if qin is not None:
        grow = float(np.sqrt(dims[axis])) * float(log_uniform(rng, 0.3, 3.0))
        qout = q(float(qin.scale[0]) * max(grow, 0.2), int(rng.integers(-128, 128)))
    tensors = [Tensor("input", dims, dtype, qin),
               Tensor("axis", axis_shape, "int32", None,
                      np.array([value], np.int32).reshape(axis_shape)),
               Tensor("output", dims, dtype, qout)]
    options = {"exclusive": bool(rng.random() < 0.5), "reverse": bool(rng.random() < 0.5)}
    return Graph("cumsum", tensors, [Op("CUMSUM", [0, 1], [2], options)], [0], [2])


BUILDERS = {"CUMSUM": _cumsum}
