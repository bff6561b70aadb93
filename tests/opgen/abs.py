"""ABS: random shapes of rank 1..5, int8 and int16 (quantized; a fifth of the int16 graphs
without quantization) and float32. A third of the quantized graphs keep the input's scale (no
rescale: TFLite Micro's other path), the others an output range of about the input's magnitude;
int8 zero points anywhere, so |x - zero point| reaches 255 and saturates."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, log_uniform, q, shape

DTYPES = {"ABS": ("int8", "int16", "float32")}


def _abs(rng: np.random.Generator, dtype: str) -> Graph:
    dims = shape(rng, 1, 5)
    qin = act_quant(rng, dtype)
    qout = qin
    if dtype == "int16" and rng.random() < 0.2:
        qin = qout = None
    elif qin is not None and rng.random() < 2 / 3:
        zp = 0 if dtype == "int16" else int(rng.integers(-128, -64))  # the range is >= 0
        qout = q(float(qin.scale[0]) * float(log_uniform(rng, 0.4, 1.2)), zp)
    tensors = [Tensor("input", dims, dtype, qin), Tensor("output", dims, dtype, qout)]
    return Graph("abs", tensors, [Op("ABS", [0], [1])], [0], [1])


BUILDERS = {"ABS": _abs}
