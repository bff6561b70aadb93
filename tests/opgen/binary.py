"""SUB and MUL: equal shapes, TFLite broadcasting over ranks 0..6 (operands of lower rank, dims
of 1 on either side), constant operands (a scalar, a per-channel vector, a full tensor), x * x,
every fused activation; int8, int16 (symmetric) and float32."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, log_uniform, q

DTYPES = {"SUB": ("int8", "int16", "float32"), "MUL": ("int8", "int16", "float32")}
ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")
MAX_ELEMENTS = 4096


def _out_shape(rng: np.random.Generator) -> tuple[int, ...]:
    rank = int(rng.choice([0, 1, 2, 3, 4, 4, 4, 5, 6]))
    while True:
        dims = tuple(int(d) for d in rng.integers(1, 9, rank))
        if np.prod(dims, dtype=np.int64) <= MAX_ELEMENTS:
            return dims


def _operand_shapes(rng: np.random.Generator, out: tuple[int, ...]):
    """Two shapes that broadcast to `out`: equal, or one of them of lower rank and/or with dims
    of 1 (at each position at least one operand has the output's extent)."""
    if rng.random() < 0.3:
        return out, out
    full = [d if rng.random() < 0.6 else 1 for d in out]
    other = [o if f == 1 or rng.random() < 0.5 else 1 for f, o in zip(full, out)]
    drop = int(rng.integers(0, len(out) + 1)) if rng.random() < 0.5 else 0
    full[:drop] = out[:drop]  # the other operand's missing leading dims count as 1s
    other = other[drop:]
    shapes = (tuple(full), tuple(other))
    return shapes if rng.random() < 0.5 else shapes[::-1]


def _out_quant(rng: np.random.Generator, kind: str, dtype: str, q1, q2):
    """An output scale of the size a converter would calibrate: around the range of a - b or
    a * b, give or take a factor of two."""
    if dtype == "float32":
        return None
    s1, s2 = float(q1.scale[0]), float(q2.scale[0])
    levels = 127.0 if dtype == "int8" else 32767.0
    scale = (s1 + s2) if kind == "SUB" else s1 * s2 * levels
    # now and then a much narrower output range: saturation, MUL multipliers above one
    spread = log_uniform(rng, 0.5, 2.0) if rng.random() < 0.8 else log_uniform(rng, 1e-3, 0.5)
    scale = float(np.clip(scale * spread, 1e-6, 10.0))
    zp = int(rng.integers(-128, 128)) if dtype == "int8" else 0
    return q(scale, zp)


def _constant(rng: np.random.Generator, dtype: str, shape) -> np.ndarray:
    if dtype == "float32":
        return rng.normal(0.0, 2.0, shape).astype(np.float32)
    info = np.iinfo(dtype)
    return rng.integers(info.min, int(info.max) + 1, size=shape, dtype=dtype)


def _build(kind: str):
    def build(rng: np.random.Generator, dtype: str) -> Graph:
        out = _out_shape(rng)
        q1, q2 = act_quant(rng, dtype), act_quant(rng, dtype)
        options = {"fused_activation_function": str(rng.choice(ACTIVATIONS))}
        style = rng.random()
        if kind == "MUL" and style < 0.05:  # x * x: one tensor on both inputs
            tensors = [Tensor("x", out, dtype, q1),
                       Tensor("y", out, dtype, _out_quant(rng, kind, dtype, q1, q1))]
            return Graph(kind.lower(), tensors, [Op(kind, [0, 0], [1], options)], [0], [1])
        if style < 0.35:  # one constant operand, usually the second
            c = [(), (1,), out[-1:], out][int(rng.integers(0, 4))]
            c = c if len(c) <= len(out) else ()  # the output has the larger rank
            a = out
            tensors = [Tensor("x", a, dtype, q1),
                       Tensor("c", c, dtype, q2, _constant(rng, dtype, c)),
                       Tensor("y", out, dtype, _out_quant(rng, kind, dtype, q1, q2))]
            ins = [0, 1] if rng.random() < 0.8 else [1, 0]
            return Graph(kind.lower(), tensors, [Op(kind, ins, [2], options)], [0], [2])
        a, b = _operand_shapes(rng, out)
        tensors = [Tensor("a", a, dtype, q1), Tensor("b", b, dtype, q2),
                   Tensor("y", out, dtype, _out_quant(rng, kind, dtype, q1, q2))]
        return Graph(kind.lower(), tensors, [Op(kind, [0, 1], [2], options)], [0, 1], [2])
    return build


BUILDERS = {"SUB": _build("SUB"), "MUL": _build("MUL")}
