"""WINDOW: int16 frames of rank 1..3, a window along the flattened input (as long as the last
axis, or now and then a divisor of the size), constant (usually) or an input of the graph; Hann
windows in Q14 with shift 14, or random weights and shifts up to 20, so products saturate."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import shape

DTYPES = {"WINDOW": ("int16",)}


def _window(rng: np.random.Generator, dtype: str) -> Graph:
    dims = shape(rng, 1, 3, 12)
    size = dims[-1] if rng.random() < 0.8 else int(np.prod(dims))
    if rng.random() < 0.5:
        n = np.arange(size)
        weights = np.round(16384 * 0.5 * (1 - np.cos(2 * np.pi * n / max(size, 2)))) \
            .astype(np.int16)
        shift = 14
    else:
        weights = rng.integers(-32768, 32768, size, dtype=np.int16)
        shift = int(rng.integers(0, 21))
    const = rng.random() < 0.8
    tensors = [Tensor("input", dims, "int16"),
               Tensor("window", (size,), "int16", data=weights if const else None),
               Tensor("output", dims, "int16")]
    op = Op("WINDOW", [0, 1], [2], {"shift": shift})
    return Graph("window", tensors, [op], [0] if const else [0, 1], [2])


BUILDERS = {"WINDOW": _window}
