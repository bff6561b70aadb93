"""Helpers shared by the random graph builders."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Quant

BUILDERS: dict = {}  # (this module builds no operator itself)


def q(scale, zp=0, axis=0) -> Quant:
    scale = np.atleast_1d(np.asarray(scale, dtype=np.float32))
    zp = np.broadcast_to(np.asarray(zp, dtype=np.int64), scale.shape).copy()
    return Quant(scale=scale, zero_point=zp, axis=axis)


def log_uniform(rng: np.random.Generator, lo: float, hi: float, size=None):
    """Small and large scales equally likely."""
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size)).astype(np.float32)


def act_quant(rng: np.random.Generator, dtype: str) -> Quant | None:
    """A random activation quantization for int8/int16 (int16: symmetric), None for float32."""
    if dtype == "float32":
        return None
    if dtype == "int16":
        return q(log_uniform(rng, 1e-4, 1e-2), 0)
    return q(log_uniform(rng, 0.005, 0.2), int(rng.integers(-128, 128)))


def shape(rng: np.random.Generator, min_rank: int = 1, max_rank: int = 4, max_dim: int = 8):
    rank = int(rng.integers(min_rank, max_rank + 1))
    return tuple(int(x) for x in rng.integers(1, max_dim + 1, rank))
