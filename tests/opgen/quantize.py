"""QUANTIZE and DEQUANTIZE: random shapes of rank 1..5 and the type pairs TFLite Micro runs.

The test id's dtype is the quantized side's type: QUANTIZE-int8 / -int16 name the output type (the
input is float32, int8 or int16 at random), DEQUANTIZE-int8 / -int16 the input type (the output is
float32). Scales are those a converter would give: a float32 range of a few units (the inputs are
normal(0, 3), so some values clamp), int16 symmetric, a requantization's output range near its
input's. Half of the float cases have a power-of-two scale and inputs on half steps, so that
x / scale lands exactly on .5 and the rounding (half away from zero) is tested."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import log_uniform, q, shape

DTYPES = {"QUANTIZE": ("int8", "int16"), "DEQUANTIZE": ("int8", "int16")}
QMAX = {"int8": 127, "int16": 32767}


def _float_range_quant(rng: np.random.Generator, dtype: str):
    """A converter's quantization of a float range [lo, hi] that holds 0."""
    if rng.random() < 0.5:  # a power of two: exact halves
        if dtype == "int16":
            return q(2.0 ** -int(rng.integers(11, 14)), 0)
        return q(2.0 ** -int(rng.integers(3, 6)), int(rng.integers(-40, 41)))
    lo, hi = -float(log_uniform(rng, 2.0, 12.0)), float(log_uniform(rng, 2.0, 12.0))
    if dtype == "int16":
        return q(max(-lo, hi) / 32767, 0)
    scale = (hi - lo) / 255
    return q(scale, int(np.clip(round(-128 - lo / scale), -128, 127)))


def _int_quant(rng: np.random.Generator, dtype: str, real_range: float | None = None):
    """Quantization of an integer tensor covering about +-real_range (random if None)."""
    if real_range is None:
        real_range = float(log_uniform(rng, 0.5, 20.0))
    scale = real_range / QMAX[dtype]
    zp = 0 if dtype == "int16" else int(rng.integers(-60, 61))
    return q(scale, zp)


def _quantize(rng: np.random.Generator, dtype: str) -> Graph:
    src = str(rng.choice(["float32", "int8", "int16"], p=[0.5, 0.3, 0.2]))
    dims = shape(rng, 1, 5)
    if src == "float32":
        qin, qout = None, _float_range_quant(rng, dtype)
    else:
        qin = _int_quant(rng, src)
        in_range = float(qin.scale[0]) * QMAX[src]
        if src == dtype and rng.random() < 0.2:  # equal scales: only the zero point moves
            qout = q(qin.scale, 0 if dtype == "int16" else int(rng.integers(-60, 61)))
        else:
            qout = _int_quant(rng, dtype, in_range * float(log_uniform(rng, 0.4, 2.5)))
    tensors = [Tensor("input", dims, src, qin), Tensor("output", dims, dtype, qout)]
    return Graph("quantize", tensors, [Op("QUANTIZE", [0], [1])], [0], [1])


def _quantize_inputs(rng: np.random.Generator, graph: Graph) -> list[np.ndarray]:
    from . import random_tensor  # (the package imports this module while it initializes)

    x, y = graph.tensors
    values = random_tensor(rng, x.dtype, x.shape)
    if x.dtype == "float32":  # a quarter of the values on half steps of the output scale
        scale = np.float32(y.quant.scale[0])
        halves = ((np.floor(values / scale) + 0.5) * scale).astype(np.float32)
        values = np.where(rng.random(x.shape) < 0.25, halves, values).astype(np.float32)
    return [values]


def _dequantize(rng: np.random.Generator, dtype: str) -> Graph:
    dims = shape(rng, 1, 5)
    tensors = [Tensor("input", dims, dtype, _int_quant(rng, dtype)),
               Tensor("output", dims, "float32")]
    return Graph("dequantize", tensors, [Op("DEQUANTIZE", [0], [1])], [0], [1])


BUILDERS = {"QUANTIZE": _quantize, "DEQUANTIZE": _dequantize}
INPUTS = {"QUANTIZE": _quantize_inputs}
