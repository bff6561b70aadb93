"""What the optimized kernels (runtime/kernels/opt/) share, prepared offline: bit-exact by
construction on top of the reference parameters (the very numbers the reference kernels use).

- the input offset folded into the bias: bias' = bias + input_offset * sum(taps of the channel), in
  int32 wrap-around arithmetic like the kernels' accumulators. The kernels then multiply raw int8
  inputs; where a reference kernel skips a padded position, the optimized one reads the input zero
  point, which contributes zero_point * w = -input_offset * w and cancels that tap's share.
- filters reordered for the kernels' loops (GEMM blocks of 8, then 4, then single channels);
- each (mult, shift) turned into the fast exact requantization of mb_requant_fast, which needs a
  right shift (``None``: keep the reference kernel);
- how far an output may overlap the input it consumes (the planner's "overlap": [(input tensor,
  lag)]), from the kernel's access order.
The interpreter computes the same at setup in C (runtime/interp/mbi_prep_opt.c).
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import Graph, Op
from .cstruct import I8, I32, RECORDS, U32, Struct, fields, ptr
from .qmath import nhwc
from .records import records

BLOCK = 8  # output channels per GEMM register block (mb_gemm_s8_opt)

REQUANT_OPT = Struct(
    "mb_requant_opt", "Output requantization of one op on the optimized kernels.",
    fields(ptr(I32), "bias", doc="per output channel: bias + input_offset * sum of the channel's "
                                 "taps"),
    fields(ptr(I32), "mult", doc="2 x the Q31 multiplier (as uint32; 0 stays 0), per channel"),
    fields(ptr(I8), "shift", doc="e - 1 for a right shift by e >= 1, per channel"),
    fields(I32, "per_channel", doc="0: per tensor, mult/shift hold 8 equal entries that serve all"),
    fields(I32, "relu", doc="act_min >= output_offset: negative values all clamp to act_min"),
    fields(I32, "output_offset"),
    fields(I32, "act_min", "act_max"))


RQ_OPT_DATA = Struct(
    "mbi_rq_opt_data", "The interpreter's output stage of an optimized operator: arena offsets of "
                       "one entry per output channel.",
    fields(U32, "bias", doc="int32: bias + input_offset * sum of the channel's taps"),
    fields(U32, "mult", doc="int32: 2 x the Q31 multiplier"),
    fields(U32, "shift", doc="int8: e - 1"),
    fields(I32, "relu", "output_offset", "act_min", "act_max"),
    header=RECORDS)


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


def requant_opt(prep: dict, bias: np.ndarray, per_channel: bool) -> dict | None:
    """The mb_requant_opt values (arrays for bias/mult/shift) of a reference preparation `prep`
    (requant pairs, output offset, clamp), or None where the fast requantization does not apply."""
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


def emit_requant_opt(gen, i: int, rq: dict, filt: np.ndarray, filt_comment: str
                     ) -> tuple[str, str]:
    """The mb_requant_opt initializer of operator i and the name of its packed filter: bias and
    filter as constant arrays, multipliers and shifts as tables."""
    bias = gen.array(f"mb_op{i}_bias", "int32", rq["bias"],
                     f"operator {i}: bias + input offset x sum of the channel's filter taps")
    filt_name = gen.array(f"mb_op{i}_filter", "int8", filt, filt_comment)
    mult = gen.table(f"op{i}_mult", "int32_t", rq["mult"])
    shift = gen.table(f"op{i}_shift", "int8_t", rq["shift"])
    init = REQUANT_OPT(bias=bias, mult=mult, shift=shift, per_channel=rq["per_channel"],
                       relu=rq["relu"], output_offset=rq["output_offset"],
                       act_min=rq["act_min"], act_max=rq["act_max"]).c_init()
    return init, filt_name


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


def pack_blocks4(w: np.ndarray) -> np.ndarray:
    """(n, k) weights -> the specialized 1x1 kernel's order: [k][4] per block of 4 channels, then
    the remaining single channels [k]."""
    n, _ = w.shape
    blocks = n // 4 * 4
    parts = [w[c:c + 4].T.ravel() for c in range(0, blocks, 4)] + list(w[blocks:])
    return np.concatenate(parts).astype(np.int8)


def conv_lag(in_shape, out_shape, p: dict, group: int = 2) -> int | None:
    """How far a conv kernel's output may start past its input's start (batch 1).

    Pixels go in raster groups of `group` (mb_conv2d_s8_opt: pairs; the kernels specialized per
    depth: 4), the last ones one by one. A group's outputs are written while (and after) its
    receptive fields are read, so they may only cover input bytes that no group from this one on
    still reads. Pixel q reads nothing below (max(iy0, 0) * in_w + max(ix0, 0)) * in_c (a
    conservative bound)."""
    n, in_h, in_w, in_c = nhwc(in_shape)
    _, out_h, out_w, out_c = nhwc(out_shape)
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


def depthwise_lag(in_shape, out_shape, p: dict) -> int | None:
    """How far mb_depthwise_conv2d_s8_opt's output may start past its input's start (batch 1):
    output row oy is written once the input rows up to oy * stride_h - pad_h + 2 are in the ring,
    so it may only cover input rows after those."""
    n, in_h, in_w, ch = nhwc(in_shape)
    _, out_h, out_w, _ = nhwc(out_shape)
    if n != 1:
        return None
    oy = np.arange(out_h)
    next_row = oy * p["stride_h"] - p["pad_h"] + 3
    needed = next_row < in_h
    if not needed.any():
        return in_h * in_w * ch  # the input is fully read before the first write
    return int((next_row[needed] * in_w * ch - (oy[needed] + 1) * out_w * ch).min())


def overlap(t: int, lag: int | None) -> list[tuple[int, int]]:
    return [] if lag is None else [(t, lag)]


# --- the interpreter's optimized operators: the same decisions as their C prepare ------------

def int8_operands(graph: Graph, op: Op, n_in: int):
    """The op's first `n_in` inputs and its output if all are int8 (a missing bias is fine),
    else None."""
    ins = list(op.inputs) + [-1] * 3
    if len(op.inputs) < n_in or any(t < 0 for t in ins[:n_in]):
        return None
    ts = [graph.tensors[t] for t in ins[:n_in]] + [graph.tensors[op.outputs[0]]]
    if any(t.dtype != "int8" for t in ts):
        return None
    return ts


def bias_ok(graph: Graph, op: Op) -> bool:
    if len(op.inputs) < 3 or op.inputs[2] < 0:
        return True
    b = graph.tensors[op.inputs[2]]
    return b.dtype == "int32" and b.is_const


def fast(pairs) -> bool:
    return fast_requant(pairs) is not None


def stage_records(n: int) -> int:
    """mbi_opt_output_stage's records: bias and 2 x mult (int32), shift (int8) per channel."""
    return 2 * records(n, 4) + records(n, 1)
