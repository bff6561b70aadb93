"""LOG_SOFTMAX of int8 (output TFLite Micro's fixed 16/256 and 127) and float32 over the last axis
of rank 1..5 tensors, rows up to 1000 wide; input scales and spreads from narrow (every exp
counts) to wide (most differences fall below the threshold and give -128)."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import log_uniform, q
from .reduce import small_shape

DTYPES = {"LOG_SOFTMAX": ("int8", "float32")}


def _log_softmax(rng: np.random.Generator, dtype: str) -> Graph:
    dims = small_shape(rng, 1, 5, 1500)
    if rng.random() < 0.3:  # a classifier's row
        dims = (1, int(rng.integers(2, 1001)))
    qin = qout = None
    if dtype == "int8":
        qin = q(float(log_uniform(rng, 0.005, 1.0)), int(rng.integers(-128, 128)))
        qout = q(16.0 / 256, 127)
    tensors = [Tensor("input", dims, dtype, qin), Tensor("output", dims, dtype, qout)]
    return Graph("log_softmax", tensors, [Op("LOG_SOFTMAX", [0], [1])], [0], [1])


def _inputs(rng: np.random.Generator, graph: Graph) -> list[np.ndarray]:
    x = graph.tensors[graph.inputs[0]]
    if x.dtype == "int8":
        return [rng.integers(-128, 128, x.shape).astype(np.int8)]
    return [rng.normal(0.0, float(log_uniform(rng, 0.1, 20.0)), x.shape).astype(np.float32)]


BUILDERS = {"LOG_SOFTMAX": _log_softmax}
INPUTS = {"LOG_SOFTMAX": _inputs}
