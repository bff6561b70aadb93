"""RFFT and IRFFT: lengths of 2^a 3^b 5^c x 2 (the ones TFLite Micro's kiss_fft runs), 1 to 3
frames, frames shorter than the FFT (zero-padded), int16 and int32 (full-scale and quiet
signals) and float32."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

DTYPES = {"RFFT": ("int16", "int32", "float32"), "IRFFT": ("int16", "int32", "float32")}
T = {"int16": 7, "int32": 2, "float32": 0}
LENGTHS = [4, 6, 8, 10, 12, 16, 18, 20, 24, 30, 32, 36, 40, 48, 50, 60, 64, 72, 80, 90, 96,
           100, 120, 128, 150, 160, 180, 256, 320, 480, 512]


def _length(rng) -> int:
    return int(rng.choice(LENGTHS))


def _rows(rng) -> tuple:
    return () if rng.random() < 0.5 else (int(rng.integers(1, 4)),)


def _rfft(rng, dtype):
    n = _length(rng)
    width = n if rng.random() < 0.7 else int(rng.integers(1, n + 1))
    rows = _rows(rng)
    t = [Tensor("input", rows + (width,), dtype), Tensor("output", rows + (n + 2,), dtype)]
    return Graph("rfft", t, [Op("RFFT", [0], [1], {"T": T[dtype], "fft_length": n})], [0], [1])


def _irfft(rng, dtype):
    n = _length(rng)
    rows = _rows(rng)
    width = n + 2 + (0 if rng.random() < 0.8 else 2 * int(rng.integers(1, 3)))
    t = [Tensor("input", rows + (width,), dtype), Tensor("output", rows + (n,), dtype)]
    return Graph("irfft", t, [Op("IRFFT", [0], [1], {"T": T[dtype], "fft_length": n})], [0], [1])


def _signal(rng, graph):
    t = graph.tensors[0]
    if t.dtype == "float32":
        return [rng.normal(0, float(rng.choice([1e-3, 1.0, 1e3])), t.shape).astype(np.float32)]
    info = np.iinfo(t.dtype)
    x = rng.integers(info.min, int(info.max) + 1, t.shape, dtype=t.dtype)
    return [(x >> int(rng.integers(0, info.bits - 1))).astype(t.dtype)]


BUILDERS = {"RFFT": _rfft, "IRFFT": _irfft}
INPUTS = {"RFFT": _signal, "IRFFT": _signal}
