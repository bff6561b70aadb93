"""MAX_POOL_2D: int8 and float32 (the input's quantization kept, the fused activation a clamp)."""
from __future__ import annotations

from .base import INT8_F32
from .common import pool


class MaxPool2D(pool.Pool, kind="MAX_POOL_2D", types=INT8_F32):
    stem = "max_pool"
