"""float32 graphs of the eight original operators (conv, depthwise conv, fully connected, both
pools, add, softmax, reshape), drawn like tests/opmodels.py's int8 ones: shapes, SAME/VALID
padding, strides, dilations, depth multipliers, grouped convolutions, optional biases and the four
fused activations TFLite's float kernels clamp to.

Weights are normal with a spread of 1/sqrt(terms), so sums stay near the inputs' magnitude and the
activations' clamps both bite and let values through.

Tolerances (the modules' ``ulp``) are those tests/test_float.py established on the aot backend:
our float kernels sum in TFLite's order with the bias last and without contracted multiply-adds, so every
operator is bit-exact but softmax, whose exp (runtime/kernels/softmax_f32.c) is not libm's.
"""
from __future__ import annotations

import numpy as np

from opmodels import _window  # the int8 generator's window draw

from mcubench.ir.graph import Graph, Op, Tensor
from mcubench.ops.common.qmath import conv_geometry

KINDS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D",
         "ADD", "SOFTMAX", "RESHAPE")
DTYPES = {k: ("float32",) for k in KINDS}
ACTIVATIONS = ["NONE", "NONE", "RELU", "RELU6", "RELU6", "RELU_N1_TO_1"]  # weighted by use


def _act(rng: np.random.Generator) -> str:
    return ACTIVATIONS[int(rng.integers(len(ACTIVATIONS)))]


def _normal(rng: np.random.Generator, shape, spread: float) -> np.ndarray:
    return rng.normal(0.0, spread, shape).astype(np.float32)



def _conv(rng: np.random.Generator, depthwise: bool) -> Graph:
    n = 1 if rng.random() < 0.8 else 2
    in_h, in_w = (int(x) for x in rng.integers(1, 13, 2))
    in_c = int(rng.integers(1, 9))
    mult = int(rng.integers(1, 4)) if depthwise else 1
    groups = 1
    if not depthwise and rng.random() < 0.15:  # grouped: each group of channels its own filters
        groups = int(rng.choice([g for g in (2, 3, 4) if in_c % g == 0] or [1]))
    out_c = in_c * mult if depthwise else groups * int(rng.integers(1, 9 if groups == 1 else 4))
    padding, fh, fw, sh, sw, dh, dw = _window(rng, in_h, in_w, 5, dilation=True)
    out_h, out_w, _, _ = conv_geometry(padding, in_h, in_w, fh, fw, sh, sw, dh, dw)
    f_shape = (1, fh, fw, out_c) if depthwise else (out_c, fh, fw, in_c // groups)
    terms = fh * fw * (1 if depthwise else in_c // groups)
    tensors = [Tensor("input", (n, in_h, in_w, in_c), "float32"),
               Tensor("filter", f_shape, "float32", None, _normal(rng, f_shape, terms ** -0.5)),
               Tensor("bias", (out_c,), "float32", None, _normal(rng, (out_c,), 1.0)),
               Tensor("output", (n, out_h, out_w, out_c), "float32")]
    options = {"padding": padding, "stride_w": sw, "stride_h": sh, "dilation_w_factor": dw,
               "dilation_h_factor": dh, "fused_activation_function": _act(rng)}
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
    in_shape = (batches, in_features)
    if rng.random() < 0.2 and in_features % 2 == 0:  # a feature map flattened by the operator
        in_shape = (batches, 2, in_features // 2)
    tensors = [Tensor("input", in_shape, "float32"),
               Tensor("filter", (units, in_features), "float32", None,
                      _normal(rng, (units, in_features), in_features ** -0.5)),
               Tensor("output", (batches, units), "float32")]
    bias = -1
    if rng.random() < 0.8:
        tensors.append(Tensor("bias", (units,), "float32", None, _normal(rng, (units,), 1.0)))
        bias = 3
    options = {"fused_activation_function": _act(rng), "keep_num_dims": False}
    return Graph("fully_connected", tensors,
                 [Op("FULLY_CONNECTED", [0, 1, bias], [2], options)], [0], [2])


def _pool(rng: np.random.Generator, kind: str) -> Graph:
    n = 1 if rng.random() < 0.8 else 2
    in_h, in_w = (int(x) for x in rng.integers(1, 13, 2))
    c = int(rng.integers(1, 9))
    padding, fh, fw, sh, sw, _, _ = _window(rng, in_h, in_w, 4, dilation=False)
    out_h, out_w, _, _ = conv_geometry(padding, in_h, in_w, fh, fw, sh, sw)
    tensors = [Tensor("input", (n, in_h, in_w, c), "float32"),
               Tensor("output", (n, out_h, out_w, c), "float32")]
    options = {"padding": padding, "stride_w": sw, "stride_h": sh, "filter_width": fw,
               "filter_height": fh, "fused_activation_function": _act(rng)}
    return Graph(kind.lower(), tensors, [Op(kind, [0], [1], options)], [0], [1])


def _shape(rng: np.random.Generator) -> tuple[int, ...]:
    return tuple(int(x) for x in rng.integers(1, 9, int(rng.integers(1, 5))))


def _add(rng: np.random.Generator) -> Graph:
    shape = _shape(rng)
    tensors = [Tensor("input1", shape, "float32"), Tensor("input2", shape, "float32"),
               Tensor("output", shape, "float32")]
    options = {"fused_activation_function": _act(rng)}
    return Graph("add", tensors, [Op("ADD", [0, 1], [2], options)], [0, 1], [2])


def _softmax(rng: np.random.Generator) -> Graph:
    shape = (int(rng.integers(1, 4)), int(rng.integers(1, 33)))
    if rng.random() < 0.3:
        shape = _shape(rng)
    beta = 1.0 if rng.random() < 0.6 else float(np.float32(np.exp(rng.uniform(-2.3, 1.4))))
    tensors = [Tensor("input", shape, "float32"), Tensor("output", shape, "float32")]
    return Graph("softmax", tensors, [Op("SOFTMAX", [0], [1], {"beta": beta})], [0], [1])


def _reshape(rng: np.random.Generator) -> Graph:
    shape = (1,) + tuple(int(x) for x in rng.integers(1, 9, 3))
    size = int(np.prod(shape))
    new_shape = (1, size) if rng.random() < 0.5 else (shape[1], size // shape[1])
    tensors = [Tensor("input", shape, "float32"),
               Tensor("shape", (len(new_shape),), "int32", None, np.asarray(new_shape, np.int32)),
               Tensor("output", new_shape, "float32")]
    return Graph("reshape", tensors,
                 [Op("RESHAPE", [0, 1], [2], {"new_shape": list(new_shape)})], [0], [2])


BUILDERS = {
    "CONV_2D": lambda rng, dtype: _conv(rng, depthwise=False),
    "DEPTHWISE_CONV_2D": lambda rng, dtype: _conv(rng, depthwise=True),
    "FULLY_CONNECTED": lambda rng, dtype: _fully_connected(rng),
    "AVERAGE_POOL_2D": lambda rng, dtype: _pool(rng, "AVERAGE_POOL_2D"),
    "MAX_POOL_2D": lambda rng, dtype: _pool(rng, "MAX_POOL_2D"),
    "ADD": lambda rng, dtype: _add(rng),
    "SOFTMAX": lambda rng, dtype: _softmax(rng),
    "RESHAPE": lambda rng, dtype: _reshape(rng),
}
