"""Offline preparation of int8 kernel parameters, bit-exact with TFLite Micro's Prepare().

Two layers: low-level helpers that mirror TFLite's quantization utilities (QuantizeMultiplier,
CalculateActivationRangeQuantized, the ADD and SOFTMAX prepare arithmetic, padding), and one
``prepare_<op>(graph, op)`` per kernel that returns a dict keyed by the field names of the matching
``mb_<op>_params`` struct in runtime/include/mb_kernels.h, ready for a code generator to print.

Precision matters for bit-exactness: TFLite keeps scales as float32 and does some products in
float32, some in double; every such place is marked below.
"""
from __future__ import annotations

import math

import numpy as np

from .graph import Graph, Op

INT_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}


def _f32(x) -> float:
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
    s_in, s_out = _f32(input_scale), _f32(output_scale)
    return [quantize_multiplier(s_in * _f32(fs) / s_out) for fs in np.atleast_1d(filter_scales)]


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


def add_quant(in1_scale, in1_zp, in2_scale, in2_zp, out_scale, out_zp, fused: str = "NONE",
              dtype: str = "int8") -> dict:
    """TFLite int8 ADD prepare: both inputs scaled to a common 2*max(scale) grid, 20 bits up."""
    left_shift = 15 if dtype == "int16" else 20
    twice_max = 2 * max(_f32(in1_scale), _f32(in2_scale))
    m1 = quantize_multiplier(_f32(in1_scale) / twice_max)
    m2 = quantize_multiplier(_f32(in2_scale) / twice_max)
    mo = quantize_multiplier(twice_max / ((1 << left_shift) * _f32(out_scale)))
    act_min, act_max = activation_range(fused, out_scale, out_zp, dtype)
    return {
        "input1_offset": -int(in1_zp), "input2_offset": -int(in2_zp), "output_offset": int(out_zp),
        "left_shift": left_shift, "input1": m1, "input2": m2, "output": mo,
        "act_min": act_min, "act_max": act_max,
    }


SOFTMAX_DIFF_INTEGER_BITS = 5  # kScaledDiffIntegerBits of TFLite's int8 softmax


def softmax_quant(beta: float, input_scale) -> dict:
    """TFLite int8 SOFTMAX prepare (PreprocessSoftmaxScaling + CalculateInputRadius)."""
    bits = SOFTMAX_DIFF_INTEGER_BITS
    real = min(float(np.float32(beta)) * _f32(input_scale) * (1 << (31 - bits)), (1 << 31) - 1.0)
    mult, left_shift = quantize_multiplier_greater_than_one(real)
    radius = math.floor(((1 << bits) - 1) * (1 << (31 - bits)) / (1 << left_shift))
    return {"input_multiplier": mult, "input_left_shift": left_shift, "diff_min": -radius}


# --- per-op preparation for the code generator: dicts keyed like the mb_*_params fields ---------


def _qparams(graph: Graph, index: int) -> tuple[float, int]:
    """(scale, zero point) of an int8 activation tensor; the mb_*_s8 kernels take nothing else."""
    t = graph.tensors[index]
    if t.dtype != "int8" or t.quant is None:
        raise ValueError(f"tensor {t.name!r} is {t.dtype}{'' if t.quant else ' unquantized'}; "
                         "the mb_*_s8 kernels need quantized int8")
    return float(t.quant.scale[0]), int(t.quant.zero_point[0])


def nhwc(shape) -> tuple[int, int, int, int]:
    """Pad a shape of rank <= 4 on the left to (n, h, w, c), for mb_dims."""
    shape = tuple(int(d) for d in shape)
    if len(shape) > 4:
        raise ValueError(f"shape {shape} has rank > 4")
    return (1,) * (4 - len(shape)) + shape


def _conv_common(graph: Graph, op: Op, filter_h: int, filter_w: int) -> dict:
    o = op.options
    in_t, out_t = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    _, in_h, in_w, _ = nhwc(in_t.shape)
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
    out_h, out_w, pad_h, pad_w = conv_geometry(o.get("padding", "SAME"), in_h, in_w, filter_h,
                                               filter_w, sh, sw, dh, dw)
    _, oh, ow, _ = nhwc(out_t.shape)
    if (oh, ow) != (out_h, out_w):
        raise ValueError(f"{op.kind}: output {oh}x{ow} does not match the computed {out_h}x{out_w}")
    in_scale, in_zp = _qparams(graph, op.inputs[0])
    out_scale, out_zp = _qparams(graph, op.outputs[0])
    act_min, act_max = activation_range(o.get("fused_activation_function", "NONE"), out_scale,
                                        out_zp, out_t.dtype)
    fq = graph.tensors[op.inputs[1]].quant
    n_out = nhwc(out_t.shape)[3]
    scales = np.broadcast_to(np.asarray(fq.scale, dtype=np.float32), (n_out,)) \
        if len(fq.scale) == 1 else fq.scale
    return {
        "stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw,
        "pad_h": pad_h, "pad_w": pad_w, "input_offset": -in_zp, "output_offset": out_zp,
        "act_min": act_min, "act_max": act_max,
        "requant": requant_per_channel(in_scale, scales, out_scale),
    }


def prepare_conv2d(graph: Graph, op: Op) -> dict:
    """mb_conv2d_params for CONV_2D (filter OHWI); ``requant``: (mult, shift) per out channel."""
    _, fh, fw, _ = graph.tensors[op.inputs[1]].shape
    return _conv_common(graph, op, fh, fw)


def prepare_depthwise_conv2d(graph: Graph, op: Op) -> dict:
    """mb_depthwise_conv2d_params for DEPTHWISE_CONV_2D (filter 1HW(C*M))."""
    _, fh, fw, _ = graph.tensors[op.inputs[1]].shape
    p = _conv_common(graph, op, fh, fw)
    p["depth_multiplier"] = int(op.options.get("depth_multiplier", 1))
    return p


def prepare_fully_connected(graph: Graph, op: Op) -> dict:
    """mb_fully_connected_params plus the call's sizes (batches, in_features, out_units)."""
    in_t, f_t, out_t = (graph.tensors[i] for i in (op.inputs[0], op.inputs[1], op.outputs[0]))
    out_units, in_features = int(f_t.shape[0]), int(f_t.shape[-1])
    in_scale, in_zp = _qparams(graph, op.inputs[0])
    out_scale, out_zp = _qparams(graph, op.outputs[0])
    if np.any(f_t.quant.zero_point != 0):
        raise ValueError("FULLY_CONNECTED: int8 filters must be symmetric (zero point 0)")
    per_channel = f_t.quant.per_channel
    if per_channel:
        requant = requant_per_channel(in_scale, f_t.quant.scale, out_scale)
    else:
        requant = [requant_per_tensor(in_scale, f_t.quant.scale[0], out_scale)]
    act_min, act_max = activation_range(op.options.get("fused_activation_function", "NONE"),
                                        out_scale, out_zp, out_t.dtype)
    return {
        "input_offset": -in_zp, "output_offset": out_zp, "act_min": act_min, "act_max": act_max,
        "requant": requant, "per_channel": int(per_channel),
        "batches": in_t.size // in_features, "in_features": in_features, "out_units": out_units,
    }


def prepare_pool(graph: Graph, op: Op) -> dict:
    """mb_pool_params for AVERAGE_POOL_2D and MAX_POOL_2D."""
    o = op.options
    in_t, out_t = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    _, in_h, in_w, _ = nhwc(in_t.shape)
    fh, fw = int(o["filter_height"]), int(o["filter_width"])
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    _, _, pad_h, pad_w = pool_geometry(o.get("padding", "SAME"), in_h, in_w, fh, fw, sh, sw)
    out_scale, out_zp = _qparams(graph, op.outputs[0])
    act_min, act_max = activation_range(o.get("fused_activation_function", "NONE"), out_scale,
                                        out_zp, out_t.dtype)
    return {"stride_h": sh, "stride_w": sw, "filter_h": fh, "filter_w": fw, "pad_h": pad_h,
            "pad_w": pad_w, "act_min": act_min, "act_max": act_max}


def prepare_add(graph: Graph, op: Op) -> dict:
    """mb_add_params for ADD; input1/input2/output are (mult, shift) pairs for mb_requant."""
    a, b = (graph.tensors[i].shape for i in op.inputs[:2])
    if tuple(a) != tuple(b):
        raise ValueError(f"ADD: inputs {a} and {b} differ; mb_add_s8 does not broadcast")
    s1, z1 = _qparams(graph, op.inputs[0])
    s2, z2 = _qparams(graph, op.inputs[1])
    so, zo = _qparams(graph, op.outputs[0])
    return add_quant(s1, z1, s2, z2, so, zo, op.options.get("fused_activation_function", "NONE"),
                     graph.tensors[op.outputs[0]].dtype)


def prepare_softmax(graph: Graph, op: Op) -> dict:
    """mb_softmax_params plus the call's sizes (rows, depth: softmax over the last axis)."""
    in_t = graph.tensors[op.inputs[0]]
    scale, _ = _qparams(graph, op.inputs[0])
    out_scale, out_zp = _qparams(graph, op.outputs[0])
    if out_zp != -128 or abs(out_scale - 1 / 256) > 1e-3 / 256:  # what TFLite requires
        raise ValueError(f"SOFTMAX: int8 output must have scale 1/256 and zero point -128, got "
                         f"{out_scale} and {out_zp}")
    p = softmax_quant(float(op.options.get("beta", 1.0)), scale)
    depth = int(in_t.shape[-1])
    p.update(rows=in_t.size // depth, depth=depth)
    return p


PREPARE = {
    "CONV_2D": prepare_conv2d,
    "DEPTHWISE_CONV_2D": prepare_depthwise_conv2d,
    "FULLY_CONNECTED": prepare_fully_connected,
    "AVERAGE_POOL_2D": prepare_pool,
    "MAX_POOL_2D": prepare_pool,
    "ADD": prepare_add,
    "SOFTMAX": prepare_softmax,
}


# --- int16 activations with int8 weights (TFLite's 16x8 quantization): mb_kernels_s16.h --------
#
# Activations are symmetric int16 (zero point 0), so the kernels take no offsets. TFLite Micro picks
# the accumulator from the bias type: an int64 bias (what the converter writes), or none, means an
# int64 accumulator and the 64-bit MultiplyByQuantizedMultiplier, an int32 bias the int32 path of
# the int8 kernels; depthwise always runs the int64 one.

S16_LUT_SIZE = 513  # entries of each softmax table (512 segments, one extra end point)


def _qparams16(graph: Graph, index: int) -> float:
    """Scale of a symmetric int16 activation tensor (what the mb_*_s16 kernels take)."""
    t = graph.tensors[index]
    if t.dtype != "int16" or t.quant is None:
        raise ValueError(f"tensor {t.name!r} is {t.dtype}{'' if t.quant else ' unquantized'}; "
                         "the mb_*_s16 kernels need quantized int16")
    if int(t.quant.zero_point[0]) != 0:
        raise ValueError(f"int16 tensor {t.name!r} has zero point {int(t.quant.zero_point[0])}; "
                         "16x8 quantization is symmetric (zero point 0)")
    return float(t.quant.scale[0])


def _acc64(graph: Graph, op: Op) -> int:
    """1 if the operator runs TFLite's int64-accumulator path (int64 bias; always for depthwise)."""
    bias = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
    if op.kind == "DEPTHWISE_CONV_2D":
        if bias is not None and bias.dtype != "int64":
            raise ValueError(f"int16 depthwise bias must be int64 (is {bias.dtype})")
        return 1
    if bias is not None and bias.dtype not in ("int32", "int64"):
        raise ValueError(f"int16 {op.kind} bias must be int64 or int32 (is {bias.dtype})")
    return int(bias is None or bias.dtype == "int64")


def _requant_s16(graph: Graph, op: Op, n: int, acc64: int) -> list[tuple[int, int]]:
    """(mult, shift) per filter scale (broadcast to n), as for int8; the 64-bit
    MultiplyByQuantizedMultiplier shifts right by 15 - shift, so shift must stay below 15."""
    in_scale = _qparams16(graph, op.inputs[0])
    out_scale = _qparams16(graph, op.outputs[0])
    fq = graph.tensors[op.inputs[1]].quant
    if fq is None or np.any(fq.zero_point != 0):
        raise ValueError("int8 filters must be quantized symmetric (zero point 0)")
    scales = np.asarray(fq.scale, np.float32)
    if len(scales) not in (1, n):
        raise ValueError(f"filter has {len(scales)} scales for {n} output channels")
    pairs = requant_per_channel(in_scale, np.broadcast_to(scales, (n,)), out_scale)
    if acc64 and any(s > 14 for _, s in pairs):
        raise ValueError("output multiplier >= 2^14: too large for TFLite's 64-bit requantization")
    return pairs


def _window_s16(graph: Graph, op: Op) -> dict:
    """Strides, dilations and padding of a conv (checked against the output size)."""
    o = op.options
    _, fh, fw, _ = graph.tensors[op.inputs[1]].shape
    _, in_h, in_w, _ = nhwc(graph.tensors[op.inputs[0]].shape)
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
    out_h, out_w, pad_h, pad_w = conv_geometry(o.get("padding", "SAME"), in_h, in_w, fh, fw, sh,
                                               sw, dh, dw)
    _, oh, ow, _ = nhwc(graph.tensors[op.outputs[0]].shape)
    if (oh, ow) != (out_h, out_w):
        raise ValueError(f"{op.kind}: output {oh}x{ow} does not match the computed {out_h}x{out_w}")
    return {"stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw,
            "pad_h": pad_h, "pad_w": pad_w}


def _act_range_s16(graph: Graph, op: Op) -> dict:
    act_min, act_max = activation_range(op.options.get("fused_activation_function", "NONE"),
                                        _qparams16(graph, op.outputs[0]), 0, "int16")
    return {"act_min": act_min, "act_max": act_max}


def prepare_conv2d_s16(graph: Graph, op: Op) -> dict:
    """mb_conv2d_s16_params; ``requant``: (mult, shift) per output channel."""
    acc64 = _acc64(graph, op)
    n_out = nhwc(graph.tensors[op.outputs[0]].shape)[3]
    return {**_window_s16(graph, op), "acc64": acc64, **_act_range_s16(graph, op),
            "requant": _requant_s16(graph, op, n_out, acc64)}


def prepare_depthwise_conv2d_s16(graph: Graph, op: Op) -> dict:
    """mb_depthwise_conv2d_s16_params; ``requant``: (mult, shift) per output channel."""
    _acc64(graph, op)
    n_out = nhwc(graph.tensors[op.outputs[0]].shape)[3]
    multiplier = n_out // nhwc(graph.tensors[op.inputs[0]].shape)[3]  # as TFLite: from the shapes
    return {**_window_s16(graph, op), "depth_multiplier": multiplier, **_act_range_s16(graph, op),
            "requant": _requant_s16(graph, op, n_out, 1)}


def prepare_fully_connected_s16(graph: Graph, op: Op) -> dict:
    """mb_fully_connected_s16_params plus the call's sizes (batches, in_features, out_units)."""
    x, f = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
    out_units, in_features = int(f.shape[0]), int(f.shape[-1])
    acc64 = _acc64(graph, op)
    per_channel = int(f.quant is not None and f.quant.per_channel)
    requant = _requant_s16(graph, op, out_units if per_channel else 1, acc64)
    return {"acc64": acc64, "per_channel": per_channel, **_act_range_s16(graph, op),
            "requant": requant, "batches": x.size // in_features, "in_features": in_features,
            "out_units": out_units}


def _round_f32(x: np.float32) -> np.float32:
    """TfLiteRound on a float: halves away from zero (exact: x is a float32 below 2^24)."""
    return np.float32(round_half_away(float(x)))


def gen_lut_s16(func, input_min: float, input_max: float, output_min: float,
                output_max: float) -> np.ndarray:
    """TFLite's gen_lut<float, int16_t, int16_t>: func sampled at 512 steps of [input_min,
    input_max] plus the end point, in Q0.15 over [output_min, output_max], each entry nudged by half
    the error of linear interpolation at the segment's midpoint. Every operation in float32, in
    TFLite's order, so the table comes out bit for bit."""
    f32 = np.float32
    lo, hi = f32(input_min), f32(input_max)
    step = (hi - lo) / f32(512)
    half_step = step / f32(2)
    scale = f32(65536) / (f32(output_max) - f32(output_min))
    lut = np.zeros(S16_LUT_SIZE, np.int16)
    for i in range(512):
        x = lo + f32(i) * step
        val, val_mid, val_next = func(x), func(x + half_step), func(lo + f32(i + 1) * step)
        sample = _round_f32(val * scale)
        interp = _round_f32((val_next * scale + sample) / f32(2))
        bias = _round_f32((interp - _round_f32(val_mid * scale)) / f32(2))
        lut[i] = int(min(max(sample - bias, -32768.0), 32767.0))
    lut[512] = int(min(max(_round_f32(func(hi) * scale), -32768.0), 32767.0))
    return lut


def _expf(x: np.float32) -> np.float32:
    """exp of a float32, correctly rounded (TFLite calls std::exp(float); for the 1025 points of
    the softmax table the double result is never near a float32 rounding boundary)."""
    return np.float32(math.exp(float(x)))


def _one_over_one_plus(x: np.float32) -> np.float32:
    return np.float32(1) / (np.float32(1) + x)


_S16_LUTS: list = []


def softmax_s16_luts() -> tuple[np.ndarray, np.ndarray]:
    """TFLite Micro's int16 softmax tables (SoftmaxPrepare): exp over [-10, 0] and 1/(1+x) over
    [0, 1], both onto [-1, 1]. They depend on no model parameter, so they are computed once."""
    if not _S16_LUTS:
        _S16_LUTS.extend([gen_lut_s16(_expf, -10.0, 0.0, -1.0, 1.0),
                          gen_lut_s16(_one_over_one_plus, 0.0, 1.0, -1.0, 1.0)])
    return _S16_LUTS[0], _S16_LUTS[1]


def prepare_softmax_s16(graph: Graph, op: Op) -> dict:
    """mb_softmax_s16_params (without the tables) plus the call's sizes (rows, depth)."""
    in_t = graph.tensors[op.inputs[0]]
    in_scale = _qparams16(graph, op.inputs[0])
    out_scale = _qparams16(graph, op.outputs[0])
    if abs(out_scale - 1 / 32768) > 1e-3 / 32768:  # what TFLite requires
        raise ValueError(f"SOFTMAX: int16 output must have scale 1/32768 and zero point 0, got "
                         f"{out_scale}")
    # [-65535, 0] onto [-10, 0]: scale * beta / (10 / 65535), in double as TFLite
    real = _f32(in_scale) * _f32(op.options.get("beta", 1.0)) / (10.0 / 65535.0)
    mult, shift = quantize_multiplier(real)
    if shift > 31:
        raise ValueError(f"SOFTMAX: input scale x beta {real} is too large")
    depth = int(in_t.shape[-1]) if in_t.shape else 1
    return {"input_multiplier": mult, "input_left_shift": shift, "rows": in_t.size // depth,
            "depth": depth}


PREPARE_S16 = {
    "CONV_2D": prepare_conv2d_s16,
    "DEPTHWISE_CONV_2D": prepare_depthwise_conv2d_s16,
    "FULLY_CONNECTED": prepare_fully_connected_s16,
    "SOFTMAX": prepare_softmax_s16,
}
