"""Random single-operator graphs for the operators of mcubench/ops/, reproducible from
(kind, dtype, seed); used by tests/test_ops.py against TFLite Micro.

Each module here exports ``BUILDERS = {kind: build(rng, dtype) -> Graph}`` and may export
``DTYPES = {kind: (dtypes...)}`` (default int8 and float32; two modules may build one kind for
different types), and
``INPUTS = {kind: make(rng, graph) -> [arrays]}`` for inputs other than uniform random ones, and
``MASKS = {kind: mask(graph, outputs) -> [bool array or None]}`` where an operator leaves some
outputs unwritten (as TFLite Micro does): only the True elements are compared.
"""
from __future__ import annotations

import importlib
import pkgutil
import zlib

import numpy as np

from mcubench.ir.graph import Graph

BUILDERS: dict = {}  # (kind, dtype) -> build(rng, dtype)
INPUTS: dict = {}
MASKS: dict = {}
for _mod in pkgutil.iter_modules(__path__):
    _m = importlib.import_module(f"{__name__}.{_mod.name}")
    for _kind, _build in _m.BUILDERS.items():
        for _dtype in getattr(_m, "DTYPES", {}).get(_kind, ("int8", "float32")):
            if (_kind, _dtype) in BUILDERS:
                raise RuntimeError(f"opgen: {_kind} {_dtype} is built by two modules")
            BUILDERS[(_kind, _dtype)] = _build
    INPUTS.update(getattr(_m, "INPUTS", {}))
    MASKS.update(getattr(_m, "MASKS", {}))
KINDS = sorted({k for k, _ in BUILDERS})


def make(kind: str, dtype: str, seed: int) -> Graph:
    rng = np.random.default_rng([seed, zlib.crc32(f"{kind}/{dtype}".encode())])
    graph = BUILDERS[(kind, dtype)](rng, dtype)
    graph.name = f"{kind.lower()}_{dtype}_{seed}"
    return graph


def inputs(kind: str, graph: Graph, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng([seed, 1 << 20])
    if kind in INPUTS:
        return INPUTS[kind](rng, graph)
    return [random_tensor(rng, graph.tensors[t].dtype, graph.tensors[t].shape)
            for t in graph.inputs]


def masks(kind: str, graph: Graph, outputs: list[np.ndarray]) -> list:
    """Per output the elements to compare (None: all)."""
    if kind in MASKS:
        return MASKS[kind](graph, outputs)
    return [None] * len(outputs)


def random_tensor(rng: np.random.Generator, dtype: str, shape) -> np.ndarray:
    """Uniform over the integer types' range; float32 normal with a spread of a few units."""
    if dtype == "float32":
        return (rng.normal(0.0, 3.0, shape)).astype(np.float32)
    info = np.iinfo(dtype)
    return rng.integers(info.min, int(info.max) + 1, size=shape, dtype=dtype)
