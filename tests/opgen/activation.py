"""LOGISTIC, TANH, RELU, RELU6, HARD_SWISH and LEAKY_RELU over ranks 0..5, int8 and float32.

int8 quantizations are the ones a converter produces: LOGISTIC's output 1/256 and -128, TANH's
1/128 and 0 (TFLite's kernels are written for them); RELU's output from the clamped range (zero
point -128) or an unrelated one; RELU6 mostly keeps the input's (TFLite Micro's kernel ignores the
output quantization, so a different one is tested too); HARD_SWISH and LEAKY_RELU an output scale
near the input's with any zero point.
"""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, log_uniform, q, shape



def _graph(kind: str, rng: np.random.Generator, dtype: str, out_quant, options=None,
           in_quant=None) -> Graph:
    dims = shape(rng, 0 if rng.random() < 0.1 else 1, 5)
    in_quant = in_quant or act_quant(rng, dtype)
    out_quant = None if dtype == "float32" else out_quant(in_quant)
    tensors = [Tensor("input", dims, dtype, in_quant), Tensor("output", dims, dtype, out_quant)]
    return Graph(kind.lower(), tensors, [Op(kind, [0], [1], options or {})], [0], [1])


def _near(rng: np.random.Generator, lo: float = 0.5, hi: float = 2.0, zp: int | None = None):
    """An output quantization with a scale near the input's."""
    return lambda qin: q(float(qin.scale[0]) * float(log_uniform(rng, lo, hi)),
                         int(rng.integers(-128, 128)) if zp is None else zp)


def _wide_quant(rng: np.random.Generator, dtype: str):
    """Input ranges from +-0.25 to +-120: all of LOGISTIC's and TANH's curve, or only its middle."""
    if dtype == "float32":
        return None
    return q(log_uniform(rng, 0.002, 0.5), int(rng.integers(-128, 128)))


def _logistic(rng, dtype):
    return _graph("LOGISTIC", rng, dtype, lambda _: q(1 / 256, -128),
                  in_quant=_wide_quant(rng, dtype))


def _tanh(rng, dtype):
    return _graph("TANH", rng, dtype, lambda _: q(1 / 128, 0), in_quant=_wide_quant(rng, dtype))


def _relu(rng, dtype):
    if rng.random() < 0.7:  # the converter's: [0, max of the input range] -> zero point -128
        def clamped(qin):
            top = max(127 - int(qin.zero_point[0]), 1)  # the input range's top, in steps
            return q(float(qin.scale[0]) * top / 255, -128)
        return _graph("RELU", rng, dtype, clamped)
    return _graph("RELU", rng, dtype, _near(rng))


def _relu6(rng, dtype):
    if rng.random() < 0.7:
        return _graph("RELU6", rng, dtype, lambda qin: qin)
    return _graph("RELU6", rng, dtype, lambda _: q(6 / 255, -128))


def _hard_swish(rng, dtype):
    return _graph("HARD_SWISH", rng, dtype, _near(rng, 0.3, 2.0))


def _leaky_relu(rng, dtype):
    alpha = float(rng.choice([0.01, 0.1, 0.2, 0.3, float(rng.uniform(0, 1)),
                              float(rng.uniform(1, 3))]))
    return _graph("LEAKY_RELU", rng, dtype, _near(rng), {"alpha": alpha})


def _inputs(rng: np.random.Generator, graph: Graph) -> list[np.ndarray]:
    """int8: as many distinct values as the tensor holds (all 256 from 256 elements on), so each
    seed checks as much of the operator's table as it can. float32: normal, with a spread of 8 for
    LOGISTIC and TANH to reach their cut-offs (-9, 16.6) and saturation."""
    x = graph.tensors[graph.inputs[0]]
    if x.dtype == "int8":
        values = np.concatenate([rng.permutation(256) for _ in range(x.size // 256 + 1)])
        return [(values[:x.size] - 128).astype(np.int8).reshape(x.shape)]
    spread = 8.0 if graph.ops[0].kind in ("LOGISTIC", "TANH") else 3.0
    return [rng.normal(0.0, spread, x.shape).astype(np.float32)]


BUILDERS = {"LOGISTIC": _logistic, "TANH": _tanh, "RELU": _relu, "RELU6": _relu6,
            "HARD_SWISH": _hard_swish, "LEAKY_RELU": _leaky_relu}
INPUTS = {kind: _inputs for kind in BUILDERS}
