"""The reductions MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_ALL over any set of axes of rank
1..6 tensors; keep_dims either way.

Axes come positive or negative, sometimes repeated, a single one sometimes as a scalar tensor; a
quarter of the MEAN graphs are the 4-D mean over H and W (global average pooling, TFLite Micro's
special float path). Integer MEAN output quantization is the input's in a third of the graphs, else
a converter's narrower range; SUM's output range is wider than its input's by up to the square root
of the count (and now and then narrower, to saturate). REDUCE_MAX/MIN keep the input's
quantization (TFLite Micro refuses anything else). float inputs of REDUCE_MAX/MIN hold +-0 and
+-inf now and then (a row of -inf gives -FLT_MAX in TFLite Micro). REDUCE_ALL's bools are mostly
true, so that both results occur."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, log_uniform, q

DTYPES = {"MEAN": ("int8", "int16", "float32"), "SUM": ("int8", "int16", "float32"),
          "REDUCE_MAX": ("int8", "float32"), "REDUCE_MIN": ("int8", "float32"),
          "REDUCE_ALL": ("bool",)}


def small_shape(rng: np.random.Generator, min_rank: int, max_rank: int,
                max_elems: int = 3000) -> tuple[int, ...]:
    """A shape of rank min_rank..max_rank with extents 1..8 and at most max_elems elements."""
    rank = int(rng.integers(min_rank, max_rank + 1))
    dims = [int(d) for d in rng.integers(1, 9, rank)]
    while int(np.prod(dims)) > max_elems:
        dims[int(np.argmax(dims))] //= 2
    return tuple(dims)


def _axes(rng: np.random.Generator, kind: str, dtype: str) -> tuple[tuple, list[int]]:
    """Input shape and the reduced axes (0..rank-1, distinct)."""
    if kind == "MEAN" and rng.random() < 0.25:  # global average pooling
        dims = (int(rng.integers(1, 3)), *(int(d) for d in rng.integers(1, 13, 2)),
                int(rng.integers(1, 17)))
        return dims, ([1, 2] if rng.random() < 0.5 else [2, 1])
    dims = small_shape(rng, 1, 6)
    n = int(rng.integers(1, len(dims) + 1))
    return dims, [int(a) for a in rng.choice(len(dims), n, replace=False)]


def _reduce(kind: str):
    def build(rng: np.random.Generator, dtype: str) -> Graph:
        dims, reduced = _axes(rng, kind, dtype)
        rank = len(dims)
        axes = [a - rank if rng.random() < 0.4 else a for a in reduced]
        if rng.random() < 0.1:  # a repeated axis, written the other way
            axes.append(reduced[0] - rank if axes[0] >= 0 else reduced[0])
        keep = bool(rng.random() < 0.5)
        out = tuple(1 if k in reduced else d for k, d in enumerate(dims)) if keep else \
            tuple(d for k, d in enumerate(dims) if k not in reduced)
        axis_shape = () if len(axes) == 1 and rng.random() < 0.3 else (len(axes),)
        qin = act_quant(rng, dtype) if dtype != "bool" else None
        qout = qin
        count = int(np.prod([dims[a] for a in reduced]))
        if qin is not None and kind in ("MEAN", "SUM") and rng.random() < 2 / 3:
            hi = 1.2 if kind == "MEAN" else 2.0 * max(1.0, np.sqrt(count))
            ratio = float(log_uniform(rng, 0.15 if kind == "MEAN" else 0.3, hi))
            zp = 0 if dtype == "int16" else int(rng.integers(-128, 128))
            qout = q(float(qin.scale[0]) * ratio, zp)
        tensors = [Tensor("input", dims, dtype, qin),
                   Tensor("axis", axis_shape, "int32", None,
                          np.array(axes, np.int32).reshape(axis_shape)),
                   Tensor("output", out, dtype, qout)]
        return Graph(kind.lower(), tensors, [Op(kind, [0, 1], [2], {"keep_dims": keep})], [0],
                     [2])
    return build


def _extremes(rng: np.random.Generator, graph: Graph) -> list[np.ndarray]:
    """Uniform ints; floats with +-0 and +-inf sprinkled in (a whole input of -inf or +inf
    now and then)."""
    t = graph.tensors[graph.inputs[0]]
    if t.dtype != "float32":
        return [rng.integers(-128, 128, t.shape).astype(t.dtype)]
    x = rng.normal(0.0, 3.0, t.shape).astype(np.float32)
    special = np.array([0.0, -0.0, np.inf, -np.inf], np.float32)
    mask = rng.random(x.shape) < 0.15
    x[mask] = rng.choice(special, int(mask.sum()))
    if rng.random() < 0.1:
        x[...] = rng.choice([np.inf, -np.inf])
    return [x]


def _bools(rng: np.random.Generator, graph: Graph) -> list[np.ndarray]:
    t = graph.tensors[graph.inputs[0]]
    return [rng.random(t.shape) < float(rng.choice([0.5, 0.9, 0.99, 1.0]))]


BUILDERS = {kind: _reduce(kind) for kind in DTYPES}
INPUTS = {"REDUCE_MAX": _extremes, "REDUCE_MIN": _extremes, "REDUCE_ALL": _bools}
