"""Offline preparation for the optimized kernels (runtime/kernels/opt/): bit-exact by construction.

On top of ir/quant.py's parameters (the very numbers the reference kernels use) this module
- folds the input offset into the bias: bias' = bias + input_offset * sum(taps of the channel), in
  int32 wrap-around arithmetic like the kernels' accumulators. The kernels then multiply raw int8
  inputs; where a reference kernel skips a padded position, the optimized one reads the input zero
  point, which contributes zero_point * w = -input_offset * w and cancels that tap's share of the
  fold.
- reorders filters for the kernels' loops: GEMM weights (conv, fully connected) as blocks of 8
  output channels interleaved per input position, then a block of 4, then single channels
  (mb_gemm_s8_opt); depthwise 3x3 taps contiguous per channel.
- gives ADD a scratch for its two 256-entry input rescaling tables.
- tells the planner how far each kernel's output may overlap its input ("overlap": [(input tensor,
  lag)], planner.py), from the kernel's access order: the output may start at most `lag` bytes
  past the input's start.
- turns each (mult, shift) into the fast exact requantization of mb_requant_fast, which needs a
  right shift; ``None`` from a ``prepare_*_opt`` means "keep the reference kernel" (that, or a
  configuration the optimized kernel does not cover: grouped conv, other depthwise filter sizes,
  depth multipliers or dilations).
"""
from __future__ import annotations

import numpy as np

from . import quant
from .graph import Graph, Op

BLOCK = 8  # output channels per GEMM register block (mb_gemm_s8_opt)


def wrap32(values) -> np.ndarray:
    """int64 values reduced to int32 two's complement, as C's int32 accumulators wrap."""
    v = np.asarray(values, dtype=np.int64) & 0xFFFFFFFF
    return np.where(v >= 1 << 31, v - (1 << 32), v).astype(np.int32)


def fold_bias(bias: np.ndarray | None, taps: np.ndarray, input_offset: int) -> np.ndarray:
    """bias + input_offset * (sum of each output channel's taps); `taps` is (channels, k)."""
    sums = taps.astype(np.int64).sum(axis=1)
    base = np.zeros(len(sums), np.int64) if bias is None else np.asarray(bias, np.int64)
    return wrap32(base + int(input_offset) * sums)


def fast_requant(pairs) -> tuple[np.ndarray, np.ndarray] | None:
    """(2 * mult as int32 bits, e - 1) per (mult, shift) pair for mb_requant_fast, or None if some
    pair does not shift right (shift >= 0: a real multiplier >= 1/2, rare in real models). A zero
    multiplier (TFLite flushes tiny scales to it) gives 0 for any accumulator either way."""
    mults, shifts = [], []
    for mult, shift in pairs:
        if mult == 0:
            mults.append(0)
            shifts.append(0)
            continue
        if not (1 << 30 <= mult < 1 << 31) or -shift < 1:
            return None
        mults.append(2 * mult)
        shifts.append(-shift - 1)
    return wrap32(mults), np.asarray(shifts, np.int8)


def pack_gemm(w: np.ndarray) -> np.ndarray:
    """(n, k) weights -> the flat order mb_gemm_s8_opt walks: [k][8] per full block of 8 channels,
    then [k][4] for a block of 4, then the remaining single channels [k]."""
    n, k = w.shape
    parts, c = [], 0
    while c + BLOCK <= n:
        parts.append(w[c:c + BLOCK].T.ravel())
        c += BLOCK
    if c + 4 <= n:
        parts.append(w[c:c + 4].T.ravel())
        c += 4
    parts.extend(w[c:n])
    return np.concatenate(parts).astype(np.int8) if parts else np.zeros(0, np.int8)


def _requant_opt(prep: dict, bias: np.ndarray, per_channel: bool) -> dict | None:
    fast = fast_requant(prep["requant"])
    if fast is None:
        return None
    mult, shift = fast
    if not per_channel:  # the GEMM reads 8 entries per channel block: give it 8 equal ones
        mult, shift = np.repeat(mult[:1], BLOCK), np.repeat(shift[:1], BLOCK)
    return {
        "bias": bias, "mult": mult, "shift": shift, "per_channel": int(per_channel),
        # every negative requantized value clamps to act_min: mb_requant_fast may skip its sign care
        "relu": int(prep["act_min"] >= prep["output_offset"]),
        "output_offset": prep["output_offset"], "act_min": prep["act_min"],
        "act_max": prep["act_max"],
    }


def conv_lag(in_shape, out_shape, p: dict, group: int = 2) -> int | None:
    """How far a conv kernel's output may start past its input's start (batch 1).

    Pixels go in raster groups of `group` (mb_conv2d_s8_opt: pairs; the kernels specialized per
    depth: 4), the last ones one by one. A group's outputs are written while (and after) its
    receptive fields are read, so they may only cover input bytes that no group from this one on
    still reads. Pixel q reads nothing below (max(iy0, 0) * in_w + max(ix0, 0)) * in_c (a
    conservative bound)."""
    n, in_h, in_w, in_c = quant.nhwc(in_shape)
    _, out_h, out_w, out_c = quant.nhwc(out_shape)
    if n != 1:
        return None
    pixels = out_h * out_w
    oy, ox = np.divmod(np.arange(pixels), out_w)
    iy0 = np.maximum(oy * p["stride_h"] - p["pad_h"], 0)
    ix0 = np.maximum(ox * p["stride_w"] - p["pad_w"], 0)
    first_read = (iy0 * in_w + ix0) * in_c
    later = np.minimum.accumulate(first_read[::-1])[::-1]  # min over pixels q >= p
    full = pixels // group * group
    starts = np.concatenate([np.arange(0, full, group), np.arange(full, pixels)])
    ends = np.concatenate([np.arange(group, full + 1, group), np.arange(full + 1, pixels + 1)])
    return int((later[starts] - ends * out_c).min())


def pack_blocks4(w: np.ndarray) -> np.ndarray:
    """(n, k) weights -> the specialized 1x1 kernel's order: [k][4] per block of 4 channels, then
    the remaining single channels [k]."""
    n, _ = w.shape
    blocks = n // 4 * 4
    parts = [w[c:c + 4].T.ravel() for c in range(0, blocks, 4)] + list(w[blocks:])
    return np.concatenate(parts).astype(np.int8)


def depthwise_lag(in_shape, out_shape, p: dict) -> int | None:
    """How far mb_depthwise_conv2d_s8_opt's output may start past its input's start (batch 1):
    output row oy is written once the input rows up to oy * stride_h - pad_h + 2 are in the ring,
    so it may only cover input rows after those."""
    n, in_h, in_w, ch = quant.nhwc(in_shape)
    _, out_h, out_w, _ = quant.nhwc(out_shape)
    if n != 1:
        return None
    oy = np.arange(out_h)
    next_row = oy * p["stride_h"] - p["pad_h"] + 3
    needed = next_row < in_h
    if not needed.any():
        return in_h * in_w * ch  # the input is fully read before the first write
    return int((next_row[needed] * in_w * ch - (oy[needed] + 1) * out_w * ch).min())


def _bias(graph: Graph, op: Op) -> np.ndarray | None:
    b = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
    return None if b is None else np.asarray(b.data, np.int64)


def prepare_conv2d_opt(graph: Graph, op: Op, specialize: bool = True) -> dict | None:
    """mb_conv2d_opt_params fields plus "filter" (packed) and "scratch" (bytes), or None.
    With `specialize`, a dense 1x1 conv (stride 1, at least 4 pixels and channels) goes to the
    kernel specialized for its depth (conv1x1_tpl.h): "k" is set, "filter" packed for it."""
    x, w = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
    out_c, fh, fw, fc = (int(d) for d in w.shape)
    if fc != quant.nhwc(x.shape)[3]:  # grouped convolution: the reference kernel does it
        return None
    prep = quant.prepare_conv2d(graph, op)
    taps = np.asarray(w.data, np.int64).reshape(out_c, -1)  # OHWI: (fy, fx, ic) per channel
    rq = _requant_opt(prep, fold_bias(_bias(graph, op), taps, prep["input_offset"]), True)
    if rq is None:
        return None
    k = fh * fw * fc
    out_shape = graph.tensors[op.outputs[0]].shape
    n, oh, ow, _ = quant.nhwc(out_shape)
    taps2d = np.asarray(w.data, np.int8).reshape(out_c, k)
    if specialize and fh == fw == 1 and prep["stride_h"] == prep["stride_w"] == 1 and \
            n * oh * ow >= 4 and out_c >= 4:
        lag = conv_lag(x.shape, out_shape, prep, group=4)
        return {"k": k, "pixels": n * oh * ow, "out_c": out_c, "rq": rq,
                "filter": pack_blocks4(taps2d), "scratch": 0,
                "overlap": [] if lag is None else [(op.inputs[0], lag)]}
    # mb_conv2d_s8_opt would gather every field into im2col columns (runs shorter than 8 bytes with
    # more than 8 channels, or dilated columns): the 4x4 blocks of the specialized kernel do better
    gathers_all = fh * fw > 1 and (prep["dilation_w"] != 1 or (fw * fc < 8 and out_c > 8))
    if specialize and gathers_all and n * oh * ow >= 4:
        lag = conv_lag(x.shape, out_shape, prep, group=4)
        return {
            **{f: prep[f] for f in ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h",
                                    "pad_w")},
            "k": k, "im2col": True, "pad_value": -prep["input_offset"], "rq": rq,
            "filter": pack_blocks4(taps2d), "scratch": 4 * k,
            "overlap": [] if lag is None else [(op.inputs[0], lag)]}
    lag = conv_lag(x.shape, out_shape, prep)
    return {
        **{f: prep[f] for f in ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h",
                                "pad_w")},
        "pad_value": -prep["input_offset"], "rq": rq,
        "filter": pack_gemm(taps2d),
        "scratch": 0 if fh == fw == 1 else 2 * k,
        "overlap": [] if lag is None else [(op.inputs[0], lag)],
    }


def prepare_depthwise_conv2d_opt(graph: Graph, op: Op) -> dict | None:
    """mb_depthwise_conv2d_opt_params fields plus "filter" ([channel][9]) and "scratch", or None."""
    w = graph.tensors[op.inputs[1]]
    _, fh, fw, ch = (int(d) for d in w.shape)
    prep = quant.prepare_depthwise_conv2d(graph, op)
    if (fh, fw) != (3, 3) or prep["depth_multiplier"] != 1 or \
            (prep["dilation_h"], prep["dilation_w"]) != (1, 1):
        return None
    taps = np.asarray(w.data, np.int64).reshape(9, ch).T  # 1HWC -> (channel, fy*3 + fx)
    if len(prep["requant"]) == 1:  # the kernel reads one entry per channel
        prep["requant"] = prep["requant"] * ch
    rq = _requant_opt(prep, fold_bias(_bias(graph, op), taps, prep["input_offset"]), True)
    if rq is None:
        return None
    out_shape = graph.tensors[op.outputs[0]].shape
    cols = (quant.nhwc(out_shape)[2] - 1) * prep["stride_w"] + 3
    lag = depthwise_lag(graph.tensors[op.inputs[0]].shape, out_shape, prep)
    return {
        **{f: prep[f] for f in ("stride_h", "stride_w", "pad_h", "pad_w")},
        "pad_value": -prep["input_offset"], "rq": rq,
        "filter": np.ascontiguousarray(taps).astype(np.int8).ravel(),
        "scratch": 3 * cols * ch,  # the ring of three padded input rows
        "overlap": [] if lag is None else [(op.inputs[0], lag)],
    }


# Multiply-accumulates below which a fully connected layer (a classifier head: aww 768, vww 512,
# resnet 640) runs on mb_fully_connected_s8_small: a few thousand instructions more, but the GEMM's
# blocks (~5 kB of code) are not linked unless something else needs them.
FC_SMALL_MACS = 1024


def prepare_fully_connected_opt(graph: Graph, op: Op, small_macs: int = 0) -> dict | None:
    """"rq" (mb_requant_opt fields), "filter" and the call's sizes, or None. Below `small_macs`
    multiply-accumulates "small" is set and the filter keeps the model's order (the plain loop of
    mb_fully_connected_s8_small); otherwise it is packed for the GEMM."""
    w = graph.tensors[op.inputs[1]]
    prep = quant.prepare_fully_connected(graph, op)
    taps = np.asarray(w.data, np.int64)
    rq = _requant_opt(prep, fold_bias(_bias(graph, op), taps, prep["input_offset"]),
                      bool(prep["per_channel"]))
    if rq is None:
        return None
    sizes = {k: prep[k] for k in ("batches", "in_features", "out_units")}
    small = sizes["batches"] * sizes["in_features"] * sizes["out_units"] < small_macs
    filt = np.asarray(w.data, np.int8)
    return {"rq": rq, "filter": filt.ravel() if small else pack_gemm(filt), "small": small,
            "scratch": 0, "overlap": [], **sizes}


# Elements from which mb_add_s8_opt's tables pay off: building them costs 512 rescales at every
# invoke, rescaling per element 2 per element; below this the kernel rescales directly (no scratch).
ADD_TABLE_MIN = 256


def prepare_add_opt(graph: Graph, op: Op) -> dict | None:
    """mb_add_opt_params fields (without the scratch pointer) plus "scratch", or None."""
    prep = quant.prepare_add(graph, op)
    fast = fast_requant([prep["output"]])
    if fast is None:
        return None
    return {
        **{k: prep[k] for k in ("input1_offset", "input2_offset", "left_shift", "input1", "input2",
                                "output_offset", "act_min", "act_max")},
        "output_mult": int(fast[0][0]), "output_shift": int(fast[1][0]),
        "relu": int(prep["act_min"] >= prep["output_offset"]),
        "size": graph.tensors[op.outputs[0]].size,
        "scratch": 2 * 256 * 4 if graph.tensors[op.outputs[0]].size >= ADD_TABLE_MIN else 0,
        # element by element, each read before its write: fully in place on either input
        "overlap": [(op.inputs[0], 0), (op.inputs[1], 0)],
    }


def prepare_avg_pool_opt(graph: Graph, op: Op) -> dict:
    """mb_pool_params (the reference kernel's) for mb_avg_pool_s8_opt."""
    return {"pool": quant.prepare_pool(graph, op), "scratch": 0, "overlap": []}


PREPARE_OPT = {
    "CONV_2D": prepare_conv2d_opt,
    "DEPTHWISE_CONV_2D": prepare_depthwise_conv2d_opt,
    "FULLY_CONNECTED": prepare_fully_connected_opt,
    "ADD": prepare_add_opt,
    "AVERAGE_POOL_2D": prepare_avg_pool_opt,
}
