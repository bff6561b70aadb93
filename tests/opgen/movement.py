"""The data movement operators (mcubench/ops/movement.py) over the ranks, axes (negative too),
masks and operand counts TFLite Micro accepts, for int8, int16 and float32.

Quantized outputs share their input's quantization, as a converter writes them (CONCATENATION
requires it in TFLite Micro). Shapes stay small; the point is the index arithmetic."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor
from mcubench.ops.strided_slice import slice_axis

from .common import act_quant

TYPES = ("int8", "int16", "float32")


def _dims(rng: np.random.Generator, rank: int, max_total: int = 2000) -> list[int]:
    """A random shape whose element count stays small for any rank."""
    hi = {0: 1, 1: 12, 2: 8, 3: 6, 4: 5, 5: 4, 6: 3}[rank]
    while True:
        dims = [int(d) for d in rng.integers(1, hi + 1, rank)]
        if int(np.prod(dims)) <= max_total:
            return dims


def _const(name: str, values, dtype: str = "int32", shape=None) -> Tensor:
    data = np.asarray(values, dtype=dtype)
    if shape is not None:
        data = data.reshape(shape)
    return Tensor(name, tuple(data.shape), dtype, None, data)


def _axis(rng: np.random.Generator, rank: int) -> int:
    """An axis, written negative half of the time."""
    a = int(rng.integers(0, rank))
    return a - rank if rng.random() < 0.5 else a


def _transpose(rng, dtype):
    rank = int(rng.integers(1, 6))
    dims = _dims(rng, rank)
    perm = [int(p) for p in rng.permutation(rank)]
    quant = act_quant(rng, dtype)
    tensors = [Tensor("input", tuple(dims), dtype, quant), _const("perm", perm),
               Tensor("output", tuple(dims[p] for p in perm), dtype, quant)]
    return Graph("transpose", tensors, [Op("TRANSPOSE", [0, 1], [2])], [0], [2])


def _strided_slice(rng, dtype):
    rank = int(rng.integers(1, 5))
    dims = _dims(rng, rank)
    while True:
        begin, end, strides, masks = [], [], [], {"begin_mask": 0, "end_mask": 0,
                                                  "shrink_axis_mask": 0}
        counts, ok = [], True
        for a, size in enumerate(dims):
            stride = int(rng.choice([1, 1, 1, 2, 3, -1, -1, -2]))
            b = int(rng.integers(-size - 2, size + 3))
            e = int(rng.integers(-size - 2, size + 3))
            shrink = rng.random() < 0.2
            if shrink:
                stride, b = 1, int(rng.integers(-size, size))
            bm, em = rng.random() < 0.25, rng.random() < 0.25
            masks["begin_mask"] |= bm << a
            masks["end_mask"] |= em << a
            masks["shrink_axis_mask"] |= shrink << a
            try:
                _, n = slice_axis(size, b, e, stride, bm, em, shrink)
            except ValueError:
                ok = False
                break
            ok = ok and n > 0
            begin.append(b), end.append(e), strides.append(stride)
            if not shrink:
                counts.append(n)
        if ok:
            break
    options = {k: v for k, v in masks.items() if v or rng.random() < 0.5}
    quant = act_quant(rng, dtype)
    tensors = [Tensor("input", tuple(dims), dtype, quant), _const("begin", begin),
               _const("end", end), _const("strides", strides),
               Tensor("output", tuple(counts), dtype, quant)]
    return Graph("strided_slice", tensors, [Op("STRIDED_SLICE", [0, 1, 2, 3], [4], options)],
                 [0], [4])


def _split(rng, dtype):
    rank = int(rng.integers(1, 7))  # TFLite Micro takes rank 6 here
    dims = _dims(rng, rank, 1000)
    axis = _axis(rng, rank)
    n = int(rng.integers(1, 5))
    dims[axis] = n * int(rng.integers(1, 4))
    out = list(dims)
    out[axis] //= n
    quant = act_quant(rng, dtype)
    axis_t = _const("axis", axis, shape=() if rng.random() < 0.7 else (1,))
    tensors = [axis_t, Tensor("input", tuple(dims), dtype, quant)] + \
        [Tensor(f"output{k}", tuple(out), dtype, quant) for k in range(n)]
    outs = list(range(2, 2 + n))
    return Graph("split", tensors, [Op("SPLIT", [0, 1], outs, {"num_splits": n})], [1], outs)


def _split_v(rng, dtype):
    rank = int(rng.integers(1, 7))  # TFLite Micro takes rank 6 here
    dims = _dims(rng, rank, 1000)
    axis = _axis(rng, rank)
    n = int(rng.integers(1, 5))
    sizes = [int(s) for s in rng.integers(1, 5, n)]
    dims[axis] = sum(sizes)
    written = list(sizes)
    if rng.random() < 0.3:
        written[int(rng.integers(0, n))] = -1
    quant = act_quant(rng, dtype)
    tensors = [Tensor("input", tuple(dims), dtype, quant),
               _const("size_splits", written, "int64" if rng.random() < 0.2 else "int32"),
               _const("axis", axis, shape=())]
    for k, s in enumerate(sizes):
        out = list(dims)
        out[axis] = s
        tensors.append(Tensor(f"output{k}", tuple(out), dtype, quant))
    outs = list(range(3, 3 + n))
    return Graph("split_v", tensors, [Op("SPLIT_V", [0, 1, 2], outs, {"num_splits": n})], [0],
                 outs)


def _pack(rng, dtype):
    rank = int(rng.integers(0, 6))  # output ranks 1..6
    dims = _dims(rng, rank, 500)
    n = int(rng.integers(1, 5))
    axis = _axis(rng, rank + 1)
    pos = axis % (rank + 1)
    quant = act_quant(rng, dtype)
    tensors = [Tensor(f"input{k}", tuple(dims), dtype, quant) for k in range(n)]
    tensors.append(Tensor("output", tuple(dims[:pos] + [n] + dims[pos:]), dtype, quant))
    return Graph("pack", tensors, [Op("PACK", list(range(n)), [n],
                                      {"values_count": n, "axis": axis})], list(range(n)), [n])


def _unpack(rng, dtype):
    rank = int(rng.integers(1, 7))  # TFLite Micro takes rank 6 here
    dims = _dims(rng, rank, 1000)
    axis = _axis(rng, rank)
    n = dims[axis] = int(rng.integers(1, 5))
    out = tuple(d for k, d in enumerate(dims) if k != axis % rank)
    quant = act_quant(rng, dtype)
    tensors = [Tensor("input", tuple(dims), dtype, quant)] + \
        [Tensor(f"output{k}", out, dtype, quant) for k in range(n)]
    outs = list(range(1, 1 + n))
    return Graph("unpack", tensors, [Op("UNPACK", [0], outs, {"num": n, "axis": axis})], [0],
                 outs)


def _concatenation(rng, dtype):
    rank = int(rng.integers(1, 7))  # TFLite Micro takes rank 6 here
    dims = _dims(rng, rank, 500)
    axis = _axis(rng, rank)
    n = int(rng.integers(1, 11)) if rng.random() < 0.2 else int(rng.integers(1, 5))
    quant = act_quant(rng, dtype)
    tensors = []
    for k in range(n):
        shape = list(dims)
        shape[axis] = int(rng.integers(1, 5))
        tensors.append(Tensor(f"input{k}", tuple(shape), dtype, quant))
    out = list(dims)
    out[axis] = sum(t.shape[axis] for t in tensors)
    tensors.append(Tensor("output", tuple(out), dtype, quant))
    options = {"axis": axis, "fused_activation_function": "NONE"}
    return Graph("concatenation", tensors, [Op("CONCATENATION", list(range(n)), [n], options)],
                 list(range(n)), [n])


def _pad(rng, dtype):
    rank = int(rng.integers(1, 6))
    dims = _dims(rng, rank, 800)
    pads = [[int(p) for p in rng.integers(0, 4, 2)] if rng.random() < 0.7 else [0, 0]
            for _ in range(rank)]
    quant = act_quant(rng, dtype)
    out = tuple(d + p[0] + p[1] for d, p in zip(dims, pads))
    tensors = [Tensor("input", tuple(dims), dtype, quant), _const("paddings", pads),
               Tensor("output", out, dtype, quant)]
    inputs = [0, 1]
    if rng.random() < 0.25:  # TFLite Micro's PAD also takes PADV2's constant_values
        value = (rng.normal(0.0, 3.0, 1) if dtype == "float32"
                 else rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max + 1, 1))
        tensors.append(Tensor("constant_values", (), dtype, quant,
                              np.asarray(value, dtype).reshape(())))
        inputs.append(3)
    return Graph("pad", tensors, [Op("PAD", inputs, [2])], [0], [2])


BUILDERS = {"TRANSPOSE": _transpose, "STRIDED_SLICE": _strided_slice, "SPLIT": _split,
            "SPLIT_V": _split_v, "PACK": _pack, "UNPACK": _unpack,
            "CONCATENATION": _concatenation, "PAD": _pad}
DTYPES = {kind: TYPES for kind in BUILDERS}
