"""GATHER, GATHER_ND and EMBEDDING_LOOKUP of int8 and float32 data (EMBEDDING_LOOKUP also int8 ->
float32, dequantized), data and indices each a constant or a graph input.

GATHER draws ranks 1..5 for the data and 0..3 for the positions, any axis (negative too) and
batch_dims up to the axis (negative too); GATHER_ND an index depth of 1..min(rank, 5) and index
rows that sometimes step outside one axis while the slice stays inside the data (TFLite Micro
checks only the flat position, and so does mcubench). Indices given as inputs are drawn inside the
data, repeats included."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import act_quant, q
from .reduce import small_shape

DTYPES = {"GATHER": ("int8", "float32"), "GATHER_ND": ("int8", "float32"),
          "EMBEDDING_LOOKUP": ("int8", "float32")}


def _data(rng: np.random.Generator, name: str, dims, dtype: str, quant=None) -> Tensor:
    """A graph input, or (a third of the time) a constant of the data."""
    if rng.random() < 1 / 3:
        values = rng.normal(0, 3, dims).astype(np.float32) if dtype == "float32" else \
            rng.integers(-128, 128, dims).astype(np.int8)
        return Tensor(name, dims, dtype, quant, values)
    return Tensor(name, dims, dtype, quant)


def _index(rng: np.random.Generator, name: str, values: np.ndarray) -> Tensor:
    """int32 indices: a constant holding `values` (a third of the time) or a graph input (its
    values drawn by _inputs)."""
    values = values.astype(np.int32)
    if rng.random() < 1 / 3:
        return Tensor(name, values.shape, "int32", None, values)
    return Tensor(name, values.shape, "int32")


def _graph(kind: str, tensors: list[Tensor], options=None) -> Graph:
    ins = list(range(len(tensors) - 1))
    graph_inputs = [k for k in ins if not tensors[k].is_const]
    if not graph_inputs:  # keep one graph input: a model of constants only is folded away
        t = tensors[ins[-1]]
        tensors[ins[-1]] = Tensor(t.name, t.shape, t.dtype, t.quant)
        graph_inputs = [ins[-1]]
    return Graph(kind.lower(), tensors, [Op(kind, ins, [len(ins)], options or {})],
                 graph_inputs, [len(ins)])


def _gather(rng: np.random.Generator, dtype: str) -> Graph:
    dims = small_shape(rng, 1, 5, 2000)
    rank = len(dims)
    axis = int(rng.integers(0, rank))
    batch_dims = int(rng.integers(0, axis + 1)) if rng.random() < 0.5 else 0
    pshape = (*dims[:batch_dims], *(int(d) for d in rng.integers(1, 5, int(rng.integers(0, 3)))))
    positions = rng.integers(0, dims[axis], pshape)
    quant = act_quant(rng, dtype)
    out = (*dims[:axis], *pshape[batch_dims:], *dims[axis + 1:])
    prank = len(pshape)
    options = {"axis": axis - rank if rng.random() < 0.3 else axis,
               "batch_dims": batch_dims - prank if 0 < batch_dims < prank and rng.random() < 0.5
               else batch_dims}
    return _graph("GATHER", [_data(rng, "input", dims, dtype, quant),
                             _index(rng, "positions", positions),
                             Tensor("output", out, dtype, quant)], options)


def _gather_nd(rng: np.random.Generator, dtype: str) -> Graph:
    dims = small_shape(rng, 1, 5, 2000)
    depth = int(rng.integers(1, min(len(dims), 5) + 1))
    rows = tuple(int(d) for d in rng.integers(1, 5, int(rng.integers(0, 3))))
    idx = _nd_indices(rng, dims, (*rows, depth))
    quant = act_quant(rng, dtype)
    return _graph("GATHER_ND", [_data(rng, "data", dims, dtype, quant),
                                _index(rng, "indices", idx.reshape((*rows, depth))),
                                Tensor("output", (*rows, *dims[depth:]), dtype, quant)])


def _nd_indices(rng: np.random.Generator, dims, shape) -> np.ndarray:
    """GATHER_ND index rows inside the data; in half of them with depth > 1, one row written with
    its first component one too small and its second one axis extent too large: the same slice
    (TFLite Micro checks only the flat position)."""
    depth = shape[-1]
    idx = np.stack([rng.integers(0, dims[j], shape[:-1]) for j in range(depth)], axis=-1)
    flat = idx.reshape(-1, depth)
    if depth > 1 and rng.random() < 0.5:
        r = int(rng.integers(0, len(flat)))
        if flat[r, 0] > 0:
            flat[r, 0] -= 1
            flat[r, 1] += dims[1]
    return flat.reshape(shape)


def _embedding_lookup(rng: np.random.Generator, dtype: str) -> Graph:
    dims = small_shape(rng, 2, 4, 2000)
    lookups = rng.integers(0, dims[0], int(rng.integers(1, 9)))
    quant, out_type, out_quant = act_quant(rng, dtype), dtype, None
    if dtype == "int8" and rng.random() < 0.5:  # the hybrid path: dequantized rows
        quant, out_type = q(float(quant.scale[0]), 0), "float32"
    else:
        out_quant = quant
    return _graph("EMBEDDING_LOOKUP", [_index(rng, "lookup", lookups),
                                       _data(rng, "value", dims, dtype, quant),
                                       Tensor("output", (len(lookups), *dims[1:]), out_type,
                                              out_quant)])


def _inputs(rng: np.random.Generator, graph: Graph) -> list[np.ndarray]:
    """Data uniform (ints) or normal (floats); indices inside the data, as the op needs them."""
    op = graph.ops[0]
    out = []
    for t in graph.inputs:
        x = graph.tensors[t]
        if x.dtype != "int32":
            out.append(rng.normal(0, 3, x.shape).astype(np.float32) if x.dtype == "float32"
                       else rng.integers(-128, 128, x.shape).astype(x.dtype))
            continue
        data = graph.tensors[op.inputs[1 if op.kind == "EMBEDDING_LOOKUP" else 0]]
        if op.kind == "GATHER_ND":
            out.append(_nd_indices(rng, data.shape, x.shape).astype(np.int32))
        else:
            axis = int(op.options.get("axis", 0)) % len(data.shape) \
                if op.kind == "GATHER" else 0
            out.append(rng.integers(0, data.shape[axis], x.shape).astype(np.int32))
    return out


BUILDERS = {"GATHER": _gather, "GATHER_ND": _gather_nd, "EMBEDDING_LOOKUP": _embedding_lookup}
INPUTS = {kind: _inputs for kind in BUILDERS}
