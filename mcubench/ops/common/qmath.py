"""TFLite's quantization arithmetic, shared by every operator module: bit-exact with TFLite Micro.

QuantizeMultiplier, CalculateActivationRangeQuantized, the padding and output-size rules, and the
per-channel requantization of conv/depthwise/fully connected. The interpreter does the same in C at
setup (runtime/interp/mbi_prep.c); tests/test_interp.py compares both on random parameters.

Precision matters for bit-exactness: TFLite keeps scales as float32 and does some products in
float32, some in double; every such place is marked below.
"""
from __future__ import annotations

import math

import numpy as np

from ...ir.graph import Graph

INT_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}
# fused activation -> float clamp (TFLite CalculateActivationRange<float>)
F32_ACTIVATIONS = {"NONE": (-np.inf, np.inf), "RELU": (0.0, np.inf), "RELU6": (0.0, 6.0),
                   "RELU_N1_TO_1": (-1.0, 1.0)}


def f32(x) -> float:
    """A scale as TFLite stores it (float32), widened to a Python float (double)."""
    return float(np.float32(x))


def round_half_away(x: float) -> int:
    """std::round / TfLiteRound: halves round away from zero (Python's round() would not)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite QuantizeMultiplier: real = mult * 2^(shift - 31), mult in [2^30, 2^31) or 0."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)  # real = q * 2^shift, q in [0.5, 1)
    q_fixed = round_half_away(q * (1 << 31))
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:  # every bit would be shifted out: TFLite flushes to zero
        return 0, 0
    return int(q_fixed), int(shift)


def quantize_multiplier_greater_than_one(real: float) -> tuple[int, int]:
    mult, shift = quantize_multiplier(real)
    if shift < 0:
        raise ValueError(f"multiplier {real} is below one")
    return mult, shift


def requant_per_channel(input_scale, filter_scales, output_scale) -> list[tuple[int, int]]:
    """Conv/depthwise/FC output requantization, one (mult, shift) per filter scale.

    As TFLite Micro's PopulateConvolutionQuantizationParams: float32 scales, products in double.
    (TFLite's older per-tensor path multiplied input*filter in float32 first; TFLM does not, and a
    test pins this down.)"""
    s_in, s_out = f32(input_scale), f32(output_scale)
    return [quantize_multiplier(s_in * f32(fs) / s_out) for fs in np.atleast_1d(filter_scales)]


def requant_per_tensor(input_scale, filter_scale, output_scale) -> tuple[int, int]:
    """The same for a per-tensor filter scale."""
    return requant_per_channel(input_scale, [filter_scale], output_scale)[0]


def activation_range(fused: str, out_scale, out_zp: int, dtype: str = "int8") -> tuple[int, int]:
    """TFLite CalculateActivationRangeQuantized: the fused activation as a clamp (in float32)."""
    qmin, qmax = INT_RANGES[dtype]
    scale = np.float32(out_scale)

    def q(f: float) -> int:
        return int(out_zp) + round_half_away(float(np.float32(f) / scale))

    fused = fused or "NONE"
    if fused == "NONE":
        return qmin, qmax
    if fused == "RELU":
        return max(qmin, q(0.0)), qmax
    if fused == "RELU6":
        return max(qmin, q(0.0)), min(qmax, q(6.0))
    if fused == "RELU_N1_TO_1":
        return max(qmin, q(-1.0)), min(qmax, q(1.0))
    raise ValueError(f"fused activation {fused!r} cannot be a clamp; "
                     "valid: NONE, RELU, RELU6, RELU_N1_TO_1")


def fused(op) -> str:
    """An operator's fused activation function by name (absent: NONE)."""
    return op.options.get("fused_activation_function", "NONE") or "NONE"


def compute_out_size(padding: str, in_size: int, filter_size: int, stride: int,
                     dilation: int = 1) -> int:
    """TFLite ComputeOutSize for SAME/VALID."""
    effective = (filter_size - 1) * dilation + 1
    if padding == "SAME":
        return (in_size + stride - 1) // stride
    if padding == "VALID":
        return (in_size + stride - effective) // stride
    raise ValueError(f"padding {padding!r}; valid: SAME, VALID")


def compute_padding(stride: int, dilation: int, in_size: int, filter_size: int,
                    out_size: int) -> int:
    """TFLite ComputePadding: the top/left pad (any odd extra goes bottom/right)."""
    effective = (filter_size - 1) * dilation + 1
    return max(((out_size - 1) * stride + effective - in_size) // 2, 0)


def conv_geometry(padding: str, in_h: int, in_w: int, filter_h: int, filter_w: int, stride_h: int,
                  stride_w: int, dilation_h: int = 1, dilation_w: int = 1
                  ) -> tuple[int, int, int, int]:
    """(out_h, out_w, pad_h, pad_w) for a conv, depthwise conv or pool window."""
    out_h = compute_out_size(padding, in_h, filter_h, stride_h, dilation_h)
    out_w = compute_out_size(padding, in_w, filter_w, stride_w, dilation_w)
    pad_h = compute_padding(stride_h, dilation_h, in_h, filter_h, out_h)
    pad_w = compute_padding(stride_w, dilation_w, in_w, filter_w, out_w)
    return out_h, out_w, pad_h, pad_w


def pool_geometry(padding: str, in_h: int, in_w: int, filter_h: int, filter_w: int, stride_h: int,
                  stride_w: int) -> tuple[int, int, int, int]:
    """(out_h, out_w, pad_h, pad_w) for a pooling window (no dilation)."""
    return conv_geometry(padding, in_h, in_w, filter_h, filter_w, stride_h, stride_w)


def nhwc(shape) -> tuple[int, int, int, int]:
    """Pad a shape of rank <= 4 on the left to (n, h, w, c), for mb_dims."""
    shape = tuple(int(d) for d in shape)
    if len(shape) > 4:
        raise ValueError(f"shape {shape} has rank > 4")
    return (1,) * (4 - len(shape)) + shape


def qparams_s8(graph: Graph, index: int) -> tuple[float, int]:
    """(scale, zero point) of an int8 activation tensor; the mb_*_s8 kernels take nothing else."""
    t = graph.tensors[index]
    if t.dtype != "int8" or t.quant is None:
        raise ValueError(f"tensor {t.name!r} is {t.dtype}{'' if t.quant else ' unquantized'}; "
                         "the mb_*_s8 kernels need quantized int8")
    return float(t.quant.scale[0]), int(t.quant.zero_point[0])


def qparams_s16(graph: Graph, index: int) -> float:
    """Scale of a symmetric int16 activation tensor (what the mb_*_s16 kernels take)."""
    t = graph.tensors[index]
    if t.dtype != "int16" or t.quant is None:
        raise ValueError(f"tensor {t.name!r} is {t.dtype}{'' if t.quant else ' unquantized'}; "
                         "the mb_*_s16 kernels need quantized int16")
    if int(t.quant.zero_point[0]) != 0:
        raise ValueError(f"int16 tensor {t.name!r} has zero point {int(t.quant.zero_point[0])}; "
                         "16x8 quantization is symmetric (zero point 0)")
    return float(t.quant.scale[0])


def add_quant(in1_scale, in1_zp, in2_scale, in2_zp, out_scale, out_zp, fused_act: str = "NONE",
              dtype: str = "int8") -> dict:
    """TFLite's ADD (and SUB) prepare: both inputs scaled to a common 2*max(scale) grid, shifted
    20 bits up (int16: 15)."""
    left_shift = 15 if dtype == "int16" else 20
    twice_max = 2 * max(f32(in1_scale), f32(in2_scale))
    m1 = quantize_multiplier(f32(in1_scale) / twice_max)
    m2 = quantize_multiplier(f32(in2_scale) / twice_max)
    mo = quantize_multiplier(twice_max / ((1 << left_shift) * f32(out_scale)))
    act_min, act_max = activation_range(fused_act, out_scale, out_zp, dtype)
    return {
        "input1_offset": -int(in1_zp), "input2_offset": -int(in2_zp), "output_offset": int(out_zp),
        "left_shift": left_shift, "input1": m1, "input2": m2, "output": mo,
        "act_min": act_min, "act_max": act_max,
    }


# --- per-tensor quantized operands of the element-wise operators --------------------------------

QUANT_TYPES = ("int8", "int16")
SHORT = {"int8": "s8", "int16": "s16", "float32": "f32"}  # kernel name suffixes


def qparams(t) -> tuple[float, int]:
    """(scale, zero point) of a per-tensor int8/int16 tensor, with the checks every kernel here
    needs: a finite positive scale, int16 symmetric, the zero point within the type."""
    if t.dtype not in QUANT_TYPES or t.quant is None:
        raise ValueError(f"tensor {t.name!r} is {t.dtype}{'' if t.quant else ' (unquantized)'}; "
                         "expected quantized int8 or int16")
    if t.quant.per_channel:
        raise ValueError(f"tensor {t.name!r} is quantized per channel; expected one scale")
    scale, zp = float(np.float32(t.quant.scale[0])), int(t.quant.zero_point[0])
    if not (0.0 < scale < float("inf")):
        raise ValueError(f"tensor {t.name!r} has scale {scale}")
    if t.dtype == "int16" and zp != 0:
        raise ValueError(f"int16 tensor {t.name!r} has zero point {zp}; expected 0 (symmetric)")
    if not -128 <= zp <= 127:
        raise ValueError(f"tensor {t.name!r} has zero point {zp} outside int8")
    return scale, zp


def requant_multiplier(in_scale: float, out_scale: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier of the scale ratio (in double, from the float32 scales)."""
    mult, shift = quantize_multiplier(in_scale / out_scale)
    if shift > 31:
        raise ValueError(f"scale ratio {in_scale / out_scale:g} is too large (at most 2^31)")
    return mult, shift
