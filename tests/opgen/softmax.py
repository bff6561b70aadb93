"""SOFTMAX of int8 inputs into int8 (scale 1/256, zero point -128) or, half of the time, int16
(scale 1/65536, zero point -32768: TFLite Micro's int8 -> int16 softmax), over the last axis of
rank 1..4 tensors. Betas and input scales span what converters produce and beyond (large
products make most differences fall below diff_min)."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import log_uniform, q
from .reduce import small_shape

DTYPES = {"SOFTMAX": ("int8",)}


def _softmax(rng: np.random.Generator, dtype: str) -> Graph:
    dims = small_shape(rng, 1, 4, 1500)
    if rng.random() < 0.3:  # a classifier's row
        dims = (1, int(rng.integers(2, 1001)))
    beta = float(rng.choice([1.0, 1.0, float(log_uniform(rng, 0.1, 10.0))]))
    qin = q(float(log_uniform(rng, 0.01, 0.5)), int(rng.integers(-128, 128)))
    qout, out_type = q(1.0 / 256, -128), "int8"
    if rng.random() < 0.5:
        qout, out_type = q(1.0 / 65536, -32768), "int16"
    tensors = [Tensor("input", dims, dtype, qin), Tensor("output", dims, out_type, qout)]
    return Graph("softmax", tensors, [Op("SOFTMAX", [0], [1], {"beta": beta})], [0], [1])


BUILDERS = {"SOFTMAX": _softmax}
