"""CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and SOFTMAX with int16 activations and int8 weights:
TFLite's 16x8 quantization, as its converter produces it.

Activations are symmetric int16 (zero point 0), filters int8 symmetric (per channel for the convs,
per tensor or per channel for fully connected), biases int64, or none (TFLite Micro also takes
int32 ones for CONV_2D and FULLY_CONNECTED: its int32-accumulator path). Output scales are
picked so the outputs spread over a good part of the int16 range instead of saturating. SOFTMAX has
TFLite's fixed int16 output quantization (scale 1/32768, zero point 0).
"""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor
from mcubench.ops.common.qmath import conv_geometry

from .common import log_uniform, q

DTYPES = {"CONV_2D": ("int16",), "DEPTHWISE_CONV_2D": ("int16",),
          "FULLY_CONNECTED": ("int16",), "SOFTMAX": ("int16",)}
ACTIVATIONS = ["NONE", "NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
# int16 x int8 products, inputs and weights uniform: std of one product ~ 18918 * 73
PRODUCT_STD = 18918.0 * 73.0


def _act(rng: np.random.Generator) -> str:
    return ACTIVATIONS[int(rng.integers(len(ACTIVATIONS)))]


def _out_scale(rng: np.random.Generator, act: str, spread: float) -> float:
    """The output scale: the accumulator's real spread over ~1/4..1/20 of the int16 range; a
    bounded activation caps the calibrated range at its bound, as the converter does."""
    scale = float(spread / 32768 * log_uniform(rng, 4.0, 20.0))
    bound = {"RELU6": 6.0, "RELU_N1_TO_1": 1.0}.get(act)
    return min(scale, bound / 32767) if bound else scale


def _bias(rng: np.random.Generator, n: int, acc_std: float, kind: str):
    """(dtype, values): int64 as the converter writes them; int32 or none also occur."""
    r = rng.random()
    if r < 0.15:
        return None, None
    dtype = "int32" if r < 0.3 and kind != "DEPTHWISE_CONV_2D" else "int64"
    values = np.round(rng.normal(0.0, acc_std, n)).astype(np.int64)
    if dtype == "int32":
        values = np.clip(values, -(1 << 31), (1 << 31) - 1).astype(np.int32)
    return dtype, values


def _window(rng: np.random.Generator, in_h: int, in_w: int):
    padding = "SAME" if rng.random() < 0.5 else "VALID"
    fh, fw = (int(x) for x in rng.integers(1, 5, 2))
    sh, sw = (int(x) for x in rng.choice([1, 1, 2, 3], 2))
    dh, dw = (int(x) for x in rng.integers(1, 4, 2)) if rng.random() < 0.3 else (1, 1)
    if padding == "VALID":  # shrink the window until it fits the input
        while (fh - 1) * dh + 1 > in_h:
            fh -= 1
        while (fw - 1) * dw + 1 > in_w:
            fw -= 1
    return padding, fh, fw, sh, sw, dh, dw


def _conv(rng: np.random.Generator, dtype: str, depthwise: bool) -> Graph:
    n = 1 if rng.random() < 0.8 else 2
    in_h, in_w = (int(x) for x in rng.integers(1, 11, 2))
    in_c = int(rng.integers(1, 9))
    mult = int(rng.integers(1, 4)) if depthwise else 1
    groups = 1
    if not depthwise and rng.random() < 0.15:  # grouped convolution
        groups = int(rng.choice([g for g in (2, 3, 4) if in_c % g == 0] or [1]))
    out_c = in_c * mult if depthwise else groups * int(rng.integers(1, 9 if groups == 1 else 4))
    padding, fh, fw, sh, sw, dh, dw = _window(rng, in_h, in_w)
    out_h, out_w, _, _ = conv_geometry(padding, in_h, in_w, fh, fw, sh, sw, dh, dw)
    in_scale = float(log_uniform(rng, 1e-4, 1e-2))
    f_scales = log_uniform(rng, 0.002, 0.05, out_c)
    if not depthwise and rng.random() < 0.1:
        f_scales = f_scales[:1]  # per-tensor filter
    terms = fh * fw * (1 if depthwise else in_c // groups)
    acc_std = np.sqrt(terms) * PRODUCT_STD
    act = _act(rng)
    out_scale = _out_scale(rng, act, acc_std * in_scale * float(np.median(f_scales)))
    f_shape = (1, fh, fw, out_c) if depthwise else (out_c, fh, fw, in_c // groups)
    kind = "DEPTHWISE_CONV_2D" if depthwise else "CONV_2D"
    tensors = [
        Tensor("input", (n, in_h, in_w, in_c), dtype, q(in_scale)),
        Tensor("filter", f_shape, "int8", q(f_scales, 0, 3 if depthwise else 0),
               rng.integers(-127, 128, f_shape, dtype=np.int8)),
        Tensor("output", (n, out_h, out_w, out_c), dtype, q(out_scale)),
    ]
    bias_type, bias = _bias(rng, out_c, acc_std, kind)
    inputs = [0, 1, -1]
    if bias_type:
        bias_scale = (in_scale * np.broadcast_to(f_scales, (out_c,))).astype(np.float32)
        tensors.append(Tensor("bias", (out_c,), bias_type, q(bias_scale), bias))
        inputs[2] = 3
    options = {"padding": padding, "stride_w": sw, "stride_h": sh, "dilation_w_factor": dw,
               "dilation_h_factor": dh, "fused_activation_function": act}
    if depthwise:
        options["depth_multiplier"] = mult
    return Graph(kind.lower(), tensors, [Op(kind, inputs, [2], options)], [0], [2])


def _fully_connected(rng: np.random.Generator, dtype: str) -> Graph:
    batches, units = int(rng.integers(1, 4)), int(rng.integers(1, 33))
    in_features = int(rng.integers(1, 65))
    in_shape = (batches, in_features)
    if rng.random() < 0.3:  # a higher-rank input, flattened to batches x features
        in_shape = (1, batches, in_features) if rng.random() < 0.5 else (batches, 1, in_features)
    in_scale = float(log_uniform(rng, 1e-4, 1e-2))
    per_channel = rng.random() < 0.4
    f_scales = log_uniform(rng, 0.002, 0.05, units if per_channel else 1)
    acc_std = np.sqrt(in_features) * PRODUCT_STD
    act = _act(rng)
    out_scale = _out_scale(rng, act, acc_std * in_scale * float(np.median(f_scales)))
    tensors = [
        Tensor("input", in_shape, dtype, q(in_scale)),
        Tensor("filter", (units, in_features), "int8", q(f_scales),
               rng.integers(-127, 128, (units, in_features), dtype=np.int8)),
        Tensor("output", (batches, units), dtype, q(out_scale)),
    ]
    bias_type, bias = _bias(rng, units, acc_std, "FULLY_CONNECTED")
    inputs = [0, 1, -1]
    if bias_type:
        bias_scale = (in_scale * np.broadcast_to(f_scales, (units,))).astype(np.float32)
        tensors.append(Tensor("bias", (units,), bias_type, q(bias_scale), bias))
        inputs[2] = 3
    options = {"fused_activation_function": act, "keep_num_dims": False}
    return Graph("fully_connected", tensors, [Op("FULLY_CONNECTED", inputs, [2], options)],
                 [0], [2])


def _softmax(rng: np.random.Generator, dtype: str) -> Graph:
    rank = int(rng.integers(1, 5))
    shape = tuple(int(x) for x in rng.integers(1, 6, rank - 1)) + (int(rng.integers(1, 40)),)
    beta = 1.0 if rng.random() < 0.6 else float(log_uniform(rng, 0.2, 3.0))
    # the input's real range: a few units to a few tens (logits), over the int16 codes
    in_scale = float(log_uniform(rng, 2.0, 40.0)) / 32768
    tensors = [Tensor("input", shape, dtype, q(in_scale)),
               Tensor("output", shape, dtype, q(1.0 / 32768))]
    return Graph("softmax", tensors, [Op("SOFTMAX", [0], [1], {"beta": beta})], [0], [1])


BUILDERS = {
    "CONV_2D": lambda rng, dtype: _conv(rng, dtype, depthwise=False),
    "DEPTHWISE_CONV_2D": lambda rng, dtype: _conv(rng, dtype, depthwise=True),
    "FULLY_CONNECTED": _fully_connected,
    "SOFTMAX": _softmax,
}
