"""The operators that keep state between invokes (TFLite Micro's signal library: DELAY, FRAMER,
STACKER, OVERLAP_ADD, FILTER_BANK_SPECTRAL_SUBTRACTION): random sizes and options. One invoke is
tested with the others (tests/test_ops.py); tests/test_signal.py runs each over a sequence of
invokes and compares every output of every step."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import shape

DTYPES = {"DELAY": ("int16",)}


def _delay(rng, dtype):
    dims = shape(rng, 1, 3, 10)
    delay = int(rng.integers(0, 3 * dims[-1] + 2))
    t = [Tensor("input", dims, "int16"), Tensor("output", dims, "int16")]
    return Graph("delay", t, [Op("DELAY", [0], [1], {"delay_length": delay})], [0], [1])


BUILDERS = {"DELAY": _delay}
