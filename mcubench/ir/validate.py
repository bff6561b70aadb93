"""Structural checks of an IR graph, run by frontends before a graph goes anywhere: what a malformed
or adversarial model file can say that the backends must never see.

- every tensor index is in range (-1 only as an omitted optional op input);
- operators are in execution order, and the graph is acyclic: an operator reads only graph inputs,
  constants, or tensors an earlier operator wrote (a cycle is named, op by op);
- each tensor is written by at most one operator, and never a constant or a graph input;
- shapes: no negative dimensions, no more than 2^31 elements (kernels index with int32), no
  zero-size activations (a zero-size constant, e.g. an empty shape operand, is fine);
- quantization: as many zero points as scales, scales that are normal positive float32 numbers
  (a subnormal one has no float32 inverse), zero points inside the tensor type's range, a
  per-channel axis that exists and matches the channel count;
- ranks TFLite's own kernels insist on where a backend would index a missing axis (softmax runs
  over the last axis, so its input needs one);
- options: the window options an operator cannot do without (strides, filter sizes) are there and
  positive, as are dilations; paddings and fused activations are names the schema knows.
"""
from __future__ import annotations

import numpy as np

from ..errors import ModelError
from .graph import Graph

MAX_ELEMENTS = 2**31 - 1
INT_RANGE = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}
MIN_SCALE = float(np.finfo(np.float32).tiny)
WINDOW = ("stride_w", "stride_h", "filter_width", "filter_height")
REQUIRED_OPTIONS = {"CONV_2D": WINDOW[:2], "DEPTHWISE_CONV_2D": WINDOW[:2],
                    "TRANSPOSE_CONV": WINDOW[:2], "AVERAGE_POOL_2D": WINDOW,
                    "MAX_POOL_2D": WINDOW, "L2_POOL_2D": WINDOW}
MIN_INPUT_RANK = {"SOFTMAX": 1, "LOG_SOFTMAX": 1, "L2_NORMALIZATION": 1}
POSITIVE_OPTIONS = (*WINDOW, "dilation_w_factor", "dilation_h_factor")
ENUM_OPTIONS = {"padding": ("SAME", "VALID"),
                "fused_activation_function": ("NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH",
                                              "SIGN_BIT")}


def validate_graph(g: Graph, name: str | None = None) -> Graph:
    """Raise ModelError naming the first problem; return the graph unchanged when it is sound."""
    name = name or g.name
    n = len(g.tensors)

    def bad(msg: str) -> ModelError:
        return ModelError(f"{name}: {msg}")

    for where, idx in (("graph input", g.inputs), ("graph output", g.outputs)):
        for x in idx:
            if not 0 <= x < n:
                raise bad(f"{where} refers to missing tensor {x} (the model has {n} tensors)")
    for i, t in enumerate(g.tensors):
        _check_tensor(i, t, bad)

    writer: dict[int, int] = {}
    for k, op in enumerate(g.ops):
        for x in op.inputs:
            if not -1 <= x < n:
                raise bad(f"operator {k} ({op.kind}) reads missing tensor {x}")
        for x in op.outputs:
            if not 0 <= x < n:
                raise bad(f"operator {k} ({op.kind}) writes missing tensor {x}")
            if x in writer:
                raise bad(f"tensor {x} is written by operator {writer[x]} and operator {k} "
                          f"({op.kind}); each tensor has one producer")
            if g.tensors[x].is_const:
                raise bad(f"operator {k} ({op.kind}) writes constant tensor {x}")
            if x in g.inputs:
                raise bad(f"operator {k} ({op.kind}) writes graph input tensor {x}")
            writer[x] = k
    for k, op in enumerate(g.ops):
        _check_options(k, op, g, bad)
        for x in op.inputs:
            if x >= 0 and writer.get(x, -1) >= k:
                raise bad(_order_message(g, writer, k, x))
    for x in g.outputs:
        if x not in writer and x not in g.inputs and not g.tensors[x].is_const:
            raise bad(f"graph output tensor {x} is written by no operator")
    return g


def _check_tensor(i: int, t, bad) -> None:
    if any(d < 0 for d in t.shape):
        raise bad(f"tensor {i} has a dynamic or negative shape {t.shape}")
    size = 1
    for d in t.shape:  # Python ints: no silent int64 wrap-around
        size *= int(d)
    if size > MAX_ELEMENTS:
        raise bad(f"tensor {i} declares {size} elements (shape {t.shape}); more than 2^31 cannot "
                  "be indexed by the kernels")
    if size == 0 and not t.is_const:
        raise bad(f"tensor {i} ({t.name!r}) has zero elements (shape {t.shape}); zero-size "
                  "activations are not supported")
    q = t.quant
    if q is None:
        return
    scale = np.asarray(q.scale).reshape(-1)
    zp = np.asarray(q.zero_point).reshape(-1)
    if len(scale) == 0:
        raise bad(f"tensor {i} has quantization without scales")
    if len(scale) != len(zp):
        raise bad(f"tensor {i} has {len(scale)} scales but {len(zp)} zero points")
    if not np.all(np.isfinite(scale)) or np.any(scale < MIN_SCALE):
        raise bad(f"tensor {i} has a quantization scale that is not a normal positive float32 "
                  f"number ({_few(scale)})")
    lo, hi = INT_RANGE.get(t.dtype, (None, None))
    if lo is not None and (zp.min() < lo or zp.max() > hi):
        raise bad(f"tensor {i} ({t.dtype}) has zero points outside [{lo}, {hi}] ({_few(zp)})")
    if len(scale) > 1:
        if not 0 <= q.axis < len(t.shape):
            raise bad(f"tensor {i} has per-channel quantization along dimension {q.axis}, which "
                      f"shape {t.shape} does not have")
        if t.shape[q.axis] != len(scale):
            raise bad(f"tensor {i} has {len(scale)} per-channel scales for {t.shape[q.axis]} "
                      f"channels (dimension {q.axis} of shape {t.shape})")


def _check_options(k: int, op, g: Graph, bad) -> None:
    rank = MIN_INPUT_RANK.get(op.kind)
    if rank and op.inputs and op.inputs[0] >= 0 and len(g.tensors[op.inputs[0]].shape) < rank:
        raise bad(f"operator {k} ({op.kind}) needs an input of rank {rank} or more, got shape "
                  f"{g.tensors[op.inputs[0]].shape}")
    o = op.options
    missing = [key for key in REQUIRED_OPTIONS.get(op.kind, ()) if key not in o]
    if missing:
        raise bad(f"operator {k} ({op.kind}) lacks option(s) {', '.join(missing)} (no options "
                  "table in the file?)")
    for key in POSITIVE_OPTIONS:
        if key in o and (not isinstance(o[key], int) or o[key] < 1):
            raise bad(f"operator {k} ({op.kind}) has {key}={o[key]!r}; it must be at least 1")
    for key, names in ENUM_OPTIONS.items():
        if key in o and o[key] not in names:
            raise bad(f"operator {k} ({op.kind}) has unknown {key} {o[key]!r}; valid: "
                      + ", ".join(names))


def _few(a) -> str:
    vals = ", ".join(str(v) for v in list(a)[:4])
    return vals + (", ..." if len(a) > 4 else "")


def _order_message(g: Graph, writer: dict[int, int], k: int, x: int) -> str:
    """Name the cycle through operator k if there is one, else the misordering."""
    op = g.ops[k]
    if writer[x] == k:
        return f"operator {k} ({op.kind}) reads its own output tensor {x}: the graph has a cycle"
    # Depth-first from the writer of x back along inputs: does it reach operator k?
    path = _path(g, writer, writer[x], k)
    if path is not None:
        ops = " -> ".join(f"op {j} ({g.ops[j].kind})" for j in [*path, k])
        return f"the graph has a cycle: {ops}"
    return (f"operator {k} ({op.kind}) reads tensor {x} before operator {writer[x]} "
            f"({g.ops[writer[x]].kind}) writes it: operators are not in execution order")


def _path(g: Graph, writer: dict[int, int], start: int, goal: int) -> list[int] | None:
    """Operators from `start` to `goal` following data dependencies backwards (iterative)."""
    parent = {start: None}
    stack = [start]
    while stack:
        j = stack.pop()
        if j == goal:
            out = []
            while j is not None:
                out.append(j)
                j = parent[j]
            return out
        for x in g.ops[j].inputs:
            w = writer.get(x) if x >= 0 else None
            if w is not None and w not in parent:
                parent[w] = j
                stack.append(w)
    return None
