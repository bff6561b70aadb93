"""L2_NORMALIZATION of int8 and float32 tensors of rank 1..4 over the last axis (1 to 1000 wide).

int8 outputs are TFLite Micro's 1/128 and 0 (what a converter writes; it checks none); inputs
spread over the whole range around any zero point, and now and then a row of one value equal to
the zero point (a zero norm, which TFLite treats as one). float32 inputs now and then hold a row
of zeros or values so small that the norm is below its 1e-6 floor."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, q
from .reduce import small_shape

DTYPES = {"L2_NORMALIZATION": ("int8", "float32")}


def _l2(rng: np.random.Generator, dtype: str) -> Graph:
    dims = small_shape(rng, 1, 4, 1500)
    if rng.random() < 0.2:
        dims = (1, int(rng.integers(2, 1001)))
    qin = act_quant(rng, dtype)
    qout = q(1.0 / 128, 0) if qin is not None else None
    tensors = [Tensor("input", dims, dtype, qin), Tensor("output", dims, dtype, qout)]
    return Graph("l2_normalization", tensors,
                 [Op("L2_NORMALIZATION", [0], [1], {"fused_activation_function": "NONE"})],
                 [0], [1])


def _inputs(rng: np.random.Generator, graph: Graph) -> list[np.ndarray]:
    t = graph.tensors[graph.inputs[0]]
    rows = t.shape[-1]
    if t.dtype == "int8":
        x = rng.integers(-128, 128, t.shape).astype(np.int8)
        if rng.random() < 0.2:  # one row at the zero point: a zero sum of squares
            x.reshape(-1, rows)[0] = int(t.quant.zero_point[0])
        return [x]
    x = rng.normal(0.0, 3.0, t.shape) * float(rng.choice([1.0, 1.0, 1.0, 1e-4, 1e-7]))
    x = x.astype(np.float32)
    if rng.random() < 0.2:
        x.reshape(-1, rows)[0] = 0.0
    return [x]


BUILDERS = {"L2_NORMALIZATION": _l2}
INPUTS = {"L2_NORMALIZATION": _inputs}
