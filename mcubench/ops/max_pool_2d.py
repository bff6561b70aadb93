"""MAX_POOL_2D: int8 and float32 (the input's quantization kept, the fused activation a clamp)."""
from __future__ import annotations

from .common import pool


class MaxPool2D(pool.Pool):
    kind = "MAX_POOL_2D"
    code = 17
    types = ("int8", "float32")
    options = "Pool2DOptions"
    stem = "max_pool"
