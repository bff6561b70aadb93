"""CIRCULAR_BUFFER: int8 [1, 1, h, w] into a variable [1, slots, h, w], with a cycles_max of 1 to
3 or none (TFLite Micro's guess from the shape: 5, 13 and 25 slots run every time)."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant

DTYPES = {"CIRCULAR_BUFFER": ("int8",)}


def _circular_buffer(rng, dtype):
    h, w = (int(v) for v in rng.integers(1, 6, 2))
    slots = int(rng.choice([1, 2, 3, 4, 5, 8, 13]))
    q = act_quant(rng, "int8")
    options = {} if rng.random() < 0.3 else {"cycles_max": int(rng.integers(1, 4))}
    t = [Tensor("input", (1, 1, h, w), "int8", q),
         Tensor("buffer", (1, slots, h, w), "int8", q, is_variable=True)]
    return Graph("circular_buffer", t, [Op("CIRCULAR_BUFFER", [0], [1], options)], [0], [1])


BUILDERS = {"CIRCULAR_BUFFER": _circular_buffer}
