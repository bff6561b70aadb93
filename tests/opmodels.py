"""Random single-operator int8 IR graphs, reproducible from (kind, seed).

Shapes, padding, strides, dilation, fused activations, per-channel or per-tensor filters and the
scales/zero points are all drawn from the seed, so a failing configuration is one seed to rerun.
Output quantization follows the fused activation, as a converter would pick it, and filter scales
follow from it so that outputs spread over the int8 range instead of all saturating. Used by the
kernel tests and, later, by whole-backend tests.
"""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Quant, Tensor
from mcubench.ops.common.qmath import conv_geometry

OPS = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D", "ADD",
       "SOFTMAX", "RESHAPE"]
ACTIVATIONS = ["NONE", "NONE", "RELU", "RELU6", "RELU6", "RELU_N1_TO_1"]  # weighted by use


def _q(scale, zp=0, axis=0) -> Quant:
    scale = np.atleast_1d(np.asarray(scale, dtype=np.float32))
    zp = np.broadcast_to(np.asarray(zp, dtype=np.int64), scale.shape).copy()
    return Quant(scale=scale, zero_point=zp, axis=axis)


def _scale(rng: np.random.Generator, lo: float, hi: float, size=None):
    """Log-uniform, so small and large scales are equally likely."""
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size)).astype(np.float32)


def _zp(rng: np.random.Generator) -> int:
    return int(rng.integers(-128, 128))


def _act(rng: np.random.Generator) -> str:
    return ACTIVATIONS[int(rng.integers(len(ACTIVATIONS)))]


def _int8(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(-128, 128, size=shape, dtype=np.int8)


def _window(rng: np.random.Generator, in_h: int, in_w: int, max_f: int, dilation: bool):
    """Padding, filter size, stride, dilation with at least one output pixel."""
    padding = "SAME" if rng.random() < 0.5 else "VALID"
    fh, fw = (int(x) for x in rng.integers(1, max_f + 1, 2))
    sh, sw = (int(x) for x in rng.choice([1, 1, 2, 3], 2))  # stride 1 is the common case
    dh, dw = (int(x) for x in rng.integers(1, 4, 2)) if dilation and rng.random() < 0.3 else (1, 1)
    if padding == "VALID":  # shrink the window until it fits the input
        while (fh - 1) * dh + 1 > in_h:
            fh -= 1
        while (fw - 1) * dw + 1 > in_w:
            fw -= 1
    return padding, fh, fw, sh, sw, dh, dw


def _out_q(rng: np.random.Generator, act: str) -> tuple[float, int]:
    """An output quantization that suits the fused activation, as a converter would pick it."""
    if act == "RELU6":
        return float(6 / 255 * _scale(rng, 0.9, 1.3)), int(rng.integers(-128, -120))
    if act == "RELU_N1_TO_1":
        return float(2 / 255 * _scale(rng, 0.9, 1.3)), int(rng.integers(-5, 6))
    if act == "RELU":
        return float(_scale(rng, 0.005, 0.2)), int(rng.integers(-128, -100))
    return float(_scale(rng, 0.005, 0.2)), _zp(rng)


def _filter_scales(rng: np.random.Generator, in_scale: float, out_scale: float, terms: int,
                   n: int) -> np.ndarray:
    """Filter scales that put the accumulator's spread near 50 output codes (x 1/4..4).

    With inputs and weights uniform over int8, the accumulator's std is ~ sqrt(terms) * 74 * 74."""
    mean = out_scale * 50 / (in_scale * np.sqrt(terms) * 74 * 74)
    return (mean * _scale(rng, 0.25, 4.0) * _scale(rng, 0.5, 2.0, n)).astype(np.float32)


def _conv(rng: np.random.Generator, depthwise: bool, grouped: bool = False) -> Graph:
    n = 1 if rng.random() < 0.8 else 2
    in_h, in_w = (int(x) for x in rng.integers(1, 13, 2))
    in_c = int(rng.integers(1, 9))
    mult = int(rng.integers(1, 4)) if depthwise else 1
    out_c = in_c * mult if depthwise else int(rng.integers(1, 9))
    groups = 1
    if grouped:  # input channels split into groups; each group has its own filters
        groups = int(rng.choice([g for g in (2, 3, 4) if in_c % g == 0] or [1]))
        out_c = groups * int(rng.integers(1, 4))
    padding, fh, fw, sh, sw, dh, dw = _window(rng, in_h, in_w, 5, dilation=True)
    out_h, out_w, _, _ = conv_geometry(padding, in_h, in_w, fh, fw, sh, sw, dh, dw)
    in_scale, in_zp = float(_scale(rng, 0.005, 0.2)), _zp(rng)
    act = _act(rng)
    out_scale, out_zp = _out_q(rng, act)
    per_channel = rng.random() < 0.8
    terms = fh * fw * (1 if depthwise else in_c // groups)
    f_scales = _filter_scales(rng, in_scale, out_scale, terms, out_c if per_channel else 1)
    axis = 3 if depthwise else 0
    f_shape = (1, fh, fw, out_c) if depthwise else (out_c, fh, fw, in_c // groups)
    bias_scale = (in_scale * np.broadcast_to(f_scales, (out_c,))).astype(np.float32)
    tensors = [
        Tensor("input", (n, in_h, in_w, in_c), "int8", _q(in_scale, in_zp)),
        Tensor("filter", f_shape, "int8", _q(f_scales, 0, axis), _int8(rng, f_shape)),
        Tensor("bias", (out_c,), "int32", _q(bias_scale, 0),
               rng.integers(-20000, 20001, out_c).astype(np.int32)),
        Tensor("output", (n, out_h, out_w, out_c), "int8", _q(out_scale, out_zp)),
    ]
    options = {"padding": padding, "stride_w": sw, "stride_h": sh, "dilation_w_factor": dw,
               "dilation_h_factor": dh, "fused_activation_function": act}
    if depthwise:
        options["depth_multiplier"] = mult
    kind = "DEPTHWISE_CONV_2D" if depthwise else "CONV_2D"
    if rng.random() < 0.85:
        return Graph(kind.lower(), tensors, [Op(kind, [0, 1, 2], [3], options)], [0], [3])
    del tensors[2]  # the bias is optional
    return Graph(kind.lower(), tensors, [Op(kind, [0, 1, -1], [2], options)], [0], [2])


def _fully_connected(rng: np.random.Generator) -> Graph:
    batches = int(rng.integers(1, 4))
    in_features, units = int(rng.integers(1, 65)), int(rng.integers(1, 33))
    in_scale, in_zp = float(_scale(rng, 0.005, 0.2)), _zp(rng)
    act = _act(rng)
    out_scale, out_zp = _out_q(rng, act)
    per_channel = rng.random() < 0.4  # recent TFLite converters quantize dense layers per channel
    f_scales = _filter_scales(rng, in_scale, out_scale, in_features, units if per_channel else 1)
    tensors = [
        Tensor("input", (batches, in_features), "int8", _q(in_scale, in_zp)),
        Tensor("filter", (units, in_features), "int8", _q(f_scales, 0),
               _int8(rng, (units, in_features))),
        Tensor("output", (batches, units), "int8", _q(out_scale, out_zp)),
    ]
    bias = -1
    if rng.random() < 0.8:
        bias_scale = (in_scale * np.broadcast_to(f_scales, (units,))).astype(np.float32)
        tensors.append(Tensor("bias", (units,), "int32", _q(bias_scale, 0),
                              rng.integers(-20000, 20001, units).astype(np.int32)))
        bias = 3
    options = {"fused_activation_function": act, "keep_num_dims": False}
    return Graph("fully_connected", tensors,
                 [Op("FULLY_CONNECTED", [0, 1, bias], [2], options)], [0], [2])


def _pool(rng: np.random.Generator, kind: str) -> Graph:
    n = 1 if rng.random() < 0.8 else 2
    in_h, in_w = (int(x) for x in rng.integers(1, 13, 2))
    c = int(rng.integers(1, 9))
    padding, fh, fw, sh, sw, _, _ = _window(rng, in_h, in_w, 4, dilation=False)
    out_h, out_w, _, _ = conv_geometry(padding, in_h, in_w, fh, fw, sh, sw)
    act = _act(rng)
    q = _q(*_out_q(rng, act))  # pooling keeps the input's quantization
    tensors = [Tensor("input", (n, in_h, in_w, c), "int8", q),
               Tensor("output", (n, out_h, out_w, c), "int8", q)]
    options = {"padding": padding, "stride_w": sw, "stride_h": sh, "filter_width": fw,
               "filter_height": fh, "fused_activation_function": act}
    return Graph(kind.lower(), tensors, [Op(kind, [0], [1], options)], [0], [1])


def _random_shape(rng: np.random.Generator) -> tuple[int, ...]:
    rank = int(rng.integers(1, 5))
    return tuple(int(x) for x in rng.integers(1, 9, rank))


def _add(rng: np.random.Generator) -> Graph:
    shape = _random_shape(rng)
    act = _act(rng)
    out_scale, out_zp = _out_q(rng, act)
    s1, s2 = (float(s) for s in out_scale * _scale(rng, 0.1, 2.0, 2))
    tensors = [Tensor("input1", shape, "int8", _q(s1, _zp(rng))),
               Tensor("input2", shape, "int8", _q(s2, _zp(rng))),
               Tensor("output", shape, "int8", _q(out_scale, out_zp))]
    options = {"fused_activation_function": act}
    return Graph("add", tensors, [Op("ADD", [0, 1], [2], options)], [0, 1], [2])


def _softmax(rng: np.random.Generator) -> Graph:
    shape = (int(rng.integers(1, 4)), int(rng.integers(1, 33)))
    if rng.random() < 0.3:
        shape = (1,) + tuple(int(x) for x in rng.integers(1, 6, 3))
    beta = 1.0 if rng.random() < 0.6 else float(_scale(rng, 0.1, 4.0))
    tensors = [Tensor("input", shape, "int8", _q(_scale(rng, 0.005, 0.2), _zp(rng))),
               Tensor("output", shape, "int8", _q(1.0 / 256, -128))]  # TFLite's fixed int8 output
    return Graph("softmax", tensors, [Op("SOFTMAX", [0], [1], {"beta": beta})], [0], [1])


def _reshape(rng: np.random.Generator) -> Graph:
    shape = (1,) + tuple(int(x) for x in rng.integers(1, 9, 3))
    size = int(np.prod(shape))
    new_shape = (1, size) if rng.random() < 0.5 else (shape[1], size // shape[1])
    q = _q(_scale(rng, 0.005, 0.2), _zp(rng))
    tensors = [Tensor("input", shape, "int8", q),
               Tensor("shape", (len(new_shape),), "int32", None, np.asarray(new_shape, np.int32)),
               Tensor("output", new_shape, "int8", q)]
    return Graph("reshape", tensors,
                 [Op("RESHAPE", [0, 1], [2], {"new_shape": list(new_shape)})], [0], [2])


BUILDERS = {
    "CONV_2D": lambda rng: _conv(rng, depthwise=False),
    "DEPTHWISE_CONV_2D": lambda rng: _conv(rng, depthwise=True),
    "FULLY_CONNECTED": _fully_connected,
    "AVERAGE_POOL_2D": lambda rng: _pool(rng, "AVERAGE_POOL_2D"),
    "MAX_POOL_2D": lambda rng: _pool(rng, "MAX_POOL_2D"),
    "ADD": _add,
    "SOFTMAX": _softmax,
    "RESHAPE": _reshape,
}


def make_op_graph(kind: str, seed: int, grouped_conv: bool = False) -> Graph:
    """A random single-op int8 graph of the given kind; the same (kind, seed) gives the same graph.

    ``grouped_conv`` lets CONV_2D split its input channels into groups (TFLite allows it, few
    converters emit it, so backends need not support it)."""
    if kind not in BUILDERS:
        raise ValueError(f"no random model for {kind}; available: {', '.join(BUILDERS)}")
    rng = np.random.default_rng([seed, OPS.index(kind)])
    if kind == "CONV_2D" and grouped_conv:
        g = _conv(rng, depthwise=False, grouped=True)
    else:
        g = BUILDERS[kind](rng)
    g.name = f"{g.name}_{seed}"
    return g


def random_inputs(graph: Graph, seed: int) -> list[np.ndarray]:
    """One random int8 array per graph input, full range."""
    rng = np.random.default_rng([seed, 1 << 16])
    return [_int8(rng, graph.tensors[i].shape) for i in graph.inputs]
