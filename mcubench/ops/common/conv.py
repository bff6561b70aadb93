"""What CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED share: the checks of a constant filter and
bias, the window geometry, the int16 (16x8) accumulator choice and requantization, the float32
clamp, and the interpreter records of both convolutions (runtime/interp/mbi_op_conv.c prepares
them for either)."""
from __future__ import annotations

import numpy as np

from ...ir.graph import Graph, Op
from ..base import OpSpec, Table, record, records
from . import fold
from .check import f32_tensor, int8_act, need, one_output, out_dtype, s16_act, tensor
from .cstruct import F32, I16, I32, RECORDS, U32, Struct, fields, ptr
from .qmath import (
    F32_ACTIVATIONS,
    activation_range,
    conv_geometry,
    fused,
    nhwc,
    qparams_s8,
    qparams_s16,
    requant_per_channel,
)
from .structs import REQUANT


def window_fields(dilation: bool = True) -> list:
    """The window's fields of the convolutions' and pools' params structs."""
    return [fields(I16, "stride_h", "stride_w"),
            *([fields(I16, "dilation_h", "dilation_w")] if dilation else []),
            fields(I16, "pad_h", "pad_w", doc="top/left padding; bottom/right follow from the "
                                              "shapes")]


# the int8 convolutions' quantization fields ([1:]: without the offsets, for int16)
QUANT_FIELDS = [
    fields(I32, "input_offset", "output_offset", doc="-input zero point, output zero point"),
    fields(I32, "act_min", "act_max", doc="fused activation as a clamp"),
    fields(ptr(REQUANT), "requant", doc="one per output channel")]
CONV_DATA = Struct(
    "mbi_conv_data", "CONV_2D and DEPTHWISE_CONV_2D (int8 and int16) prepared at setup.",
    fields(I16, "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h", "pad_w"),
    fields(I16, "depth_multiplier", "pad"),
    fields(I32, "input_offset", "output_offset", "act_min", "act_max"),
    fields(U32, "requant", doc="arena offset of one mb_requant per output channel"),
    header=RECORDS)
CONV_F32_DATA = Struct(
    "mbi_conv_f32_data", "float32 CONV_2D and DEPTHWISE_CONV_2D: no quantization, the fused "
                         "activation is a float clamp.",
    fields(I16, "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h", "pad_w"),
    fields(I16, "depth_multiplier", "pad"),
    fields(F32, "act_min", "act_max"),
    header=RECORDS)


# --- checks --------------------------------------------------------------------------------------

def check_s8(graph: Graph, op: Op) -> None:
    """An int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED: int8 activations, a constant
    symmetric int8 filter, an optional constant int32 bias, shapes that fit."""
    out = int8_act(graph, op.outputs[0], "output")
    x = int8_act(graph, op.inputs[0] if op.inputs else -1, "input")
    need(len(op.inputs) >= 2, "has no filter")
    w = tensor(graph, op.inputs[1], "filter")
    need(w.is_const and w.dtype == "int8" and w.quant is not None,
         f"filter {w.name!r} must be constant quantized int8 (is {w.dtype}"
         f"{', not constant' if not w.is_const else ''})")
    need(not np.any(w.quant.zero_point), f"filter {w.name!r} must be symmetric (zero point 0)")
    b = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
    if b is not None:
        need(b.is_const and b.dtype == "int32",
             f"bias {b.name!r} must be a constant int32 tensor (is {b.dtype}"
             f"{', not constant' if not b.is_const else ''})")
    n_out = shapes(op, x, w, out)
    if b is not None:
        need(b.size == n_out, f"bias has {b.size} values for {n_out} outputs")


def shapes(op: Op, x, w, out, grouped_out: bool = False) -> int:
    """Check the shapes of an int8 or float32 operator; the number of outputs per position."""
    if op.kind == "FULLY_CONNECTED":
        need(len(w.shape) == 2, f"filter shape {w.shape} is not 2-D")
        need(op.options.get("weights_format", 0) in (0, "DEFAULT"),
             "shuffled weights formats are not supported")
        need(x.size % w.shape[1] == 0,
             f"input {x.shape} is not a multiple of the filter's {w.shape[1]} features")
        need(out.size == x.size // w.shape[1] * w.shape[0],
             f"output {out.shape} does not match input {x.shape} x filter {w.shape}")
        return w.shape[0]
    need(len(x.shape) == 4 and len(w.shape) == 4 and len(out.shape) == 4,
         f"needs 4-D NHWC tensors (input {x.shape}, filter {w.shape}, output {out.shape})")
    n_out = out.shape[3]
    if op.kind == "CONV_2D":
        need(w.shape[0] == n_out and w.shape[3] > 0 and x.shape[3] % w.shape[3] == 0 and
             (not grouped_out or n_out % (x.shape[3] // w.shape[3]) == 0),
             f"filter {w.shape} does not fit input {x.shape} / output {out.shape}")
    else:
        m = int(op.options.get("depth_multiplier", 1)) or 1
        need(w.shape[0] == 1 and w.shape[3] == n_out and n_out == x.shape[3] * m,
             f"filter {w.shape} does not fit input {x.shape}, output {out.shape} and "
             f"depth multiplier {m}")
    return n_out


def check_s16(graph: Graph, op: Op) -> None:
    """An int16 operator (TFLite's 16x8 quantization): symmetric int16 activations, a constant
    int8 filter, an int64 or int32 bias as TFLite Micro takes it, the int8 kernels' shapes."""
    out = s16_act(graph, op.outputs[0], "output")
    x = s16_act(graph, op.inputs[0] if op.inputs else -1, "input")
    need(len(op.inputs) >= 2, "has no filter")
    w = tensor(graph, op.inputs[1], "filter")
    need(w.is_const and w.dtype == "int8" and w.quant is not None,
         f"filter {w.name!r} must be constant quantized int8 with int16 activations (is "
         f"{w.dtype}{', not constant' if not w.is_const else ''})")
    b = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
    need(b is None or b.is_const, "the bias is not a constant")
    if op.kind == "FULLY_CONNECTED":
        need(len(w.shape) == 2 and x.size % w.shape[1] == 0 and
             out.size == x.size // w.shape[1] * w.shape[0],
             f"input {x.shape} x filter {w.shape} -> output {out.shape} do not fit")
        need(op.options.get("weights_format", 0) in (0, "DEFAULT"),
             "shuffled weights formats are not supported")
        n_out = w.shape[0]
    else:
        need(len(x.shape) == len(w.shape) == len(out.shape) == 4,
             f"needs 4-D NHWC tensors (input {x.shape}, filter {w.shape}, output {out.shape})")
        n_out = out.shape[3]
        if op.kind == "CONV_2D":
            need(w.shape[0] == n_out and w.shape[3] > 0 and x.shape[3] % w.shape[3] == 0
                 and n_out % (x.shape[3] // w.shape[3]) == 0,
                 f"filter {w.shape} does not fit input {x.shape} / output {out.shape}")
        else:
            m = int(op.options.get("depth_multiplier", 1)) or 1
            need(w.shape[0] == 1 and w.shape[3] == n_out == x.shape[3] * m,
                 f"filter {w.shape} does not fit input {x.shape}, output {out.shape} and "
                 f"depth multiplier {m}")
    need(b is None or b.size == n_out, f"bias has {b and b.size} values for {n_out} outputs")


def check_f32(graph: Graph, op: Op) -> None:
    """A float32 operator: float32 activations, constant float32 filter and bias, the shapes the
    mb_*_f32 kernels take (those of the int8 ones)."""
    out = f32_tensor(graph, op.outputs[0], "output")
    x = f32_tensor(graph, op.inputs[0] if op.inputs else -1, "input")
    check_f32_activation(op)
    need(len(op.inputs) >= 2, "has no filter")
    w = f32_tensor(graph, op.inputs[1], "filter", const=True)
    n_out = w.shape[0] if op.kind != "DEPTHWISE_CONV_2D" else w.shape[-1]
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        b = f32_tensor(graph, op.inputs[2], "bias", const=True)
        need(b.size == n_out, f"bias has {b.size} values for {n_out} outputs")
    if op.kind == "FULLY_CONNECTED":
        need(len(w.shape) == 2 and x.size % w.shape[1] == 0 and
             out.size == x.size // w.shape[1] * w.shape[0],
             f"input {x.shape} x filter {w.shape} -> output {out.shape} do not fit")
        need(op.options.get("weights_format", 0) in (0, "DEFAULT"),
             "shuffled weights formats are not supported")
        return
    shapes(op, x, w, out, grouped_out=True)
    window_f32(graph, op)


def check_f32_activation(op: Op) -> None:
    act = fused(op)
    need(act in F32_ACTIVATIONS, f"fused activation {act!r}; supported: "
                                 f"{', '.join(F32_ACTIVATIONS)}")


def check_by_type(graph: Graph, op: Op, s8, s16=None, f32=None) -> None:
    """The checks of the type the operator runs in (its output's; int8 otherwise)."""
    one_output(op)
    dtype = graph.tensors[op.outputs[0]].dtype
    if dtype == "float32" and f32:
        f32(graph, op)
    elif dtype == "int16" and s16:
        s16(graph, op)
    else:
        s8(graph, op)


# --- preparation ---------------------------------------------------------------------------------

def window(graph: Graph, op: Op) -> dict:
    """Strides, dilations and padding of a conv or depthwise conv, checked against the output."""
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


def params_s8(graph: Graph, op: Op) -> dict:
    """The int8 conv's and depthwise conv's parameters (mb_conv2d_params fields; "requant": one
    (mult, shift) per output channel), as TFLite Micro prepares them."""
    out_t = graph.tensors[op.outputs[0]]
    p = window(graph, op)
    in_scale, in_zp = qparams_s8(graph, op.inputs[0])
    out_scale, out_zp = qparams_s8(graph, op.outputs[0])
    act_min, act_max = activation_range(fused(op), out_scale, out_zp, out_t.dtype)
    fq = graph.tensors[op.inputs[1]].quant
    n_out = nhwc(out_t.shape)[3]
    scales = np.broadcast_to(np.asarray(fq.scale, dtype=np.float32), (n_out,)) \
        if len(fq.scale) == 1 else fq.scale
    return {**p, "input_offset": -in_zp, "output_offset": out_zp, "act_min": act_min,
            "act_max": act_max, "requant": requant_per_channel(in_scale, scales, out_scale)}


def acc64(graph: Graph, op: Op) -> int:
    """1 if an int16 operator runs TFLite's int64-accumulator path (int64 bias or none; always for
    depthwise)."""
    bias = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
    if op.kind == "DEPTHWISE_CONV_2D":
        if bias is not None and bias.dtype != "int64":
            raise ValueError(f"int16 depthwise bias must be int64 (is {bias.dtype})")
        return 1
    if bias is not None and bias.dtype not in ("int32", "int64"):
        raise ValueError(f"int16 {op.kind} bias must be int64 or int32 (is {bias.dtype})")
    return int(bias is None or bias.dtype == "int64")


def requant_s16(graph: Graph, op: Op, n: int, acc_64: int) -> list[tuple[int, int]]:
    """(mult, shift) per filter scale (broadcast to n), as for int8; the 64-bit
    MultiplyByQuantizedMultiplier shifts right by 15 - shift, so shift must stay below 15."""
    in_scale = qparams_s16(graph, op.inputs[0])
    out_scale = qparams_s16(graph, op.outputs[0])
    fq = graph.tensors[op.inputs[1]].quant
    if fq is None or np.any(fq.zero_point != 0):
        raise ValueError("int8 filters must be quantized symmetric (zero point 0)")
    scales = np.asarray(fq.scale, np.float32)
    if len(scales) not in (1, n):
        raise ValueError(f"filter has {len(scales)} scales for {n} output channels")
    pairs = requant_per_channel(in_scale, np.broadcast_to(scales, (n,)), out_scale)
    if acc_64 and any(s > 14 for _, s in pairs):
        raise ValueError("output multiplier >= 2^14: too large for TFLite's 64-bit requantization")
    return pairs


def act_range_s16(graph: Graph, op: Op) -> dict:
    act_min, act_max = activation_range(fused(op), qparams_s16(graph, op.outputs[0]), 0, "int16")
    return {"act_min": act_min, "act_max": act_max}


def f32_clamp(op: Op) -> dict:
    """The fused activation as a float clamp (TFLite CalculateActivationRange<float>; an open end
    is +-inf here, written +-FLT_MAX in C)."""
    lo, hi = F32_ACTIVATIONS[fused(op)]
    return {"act_min": lo, "act_max": hi}


def window_f32(graph: Graph, op: Op) -> dict:
    """A float32 conv's or depthwise conv's window (the int8 geometry)."""
    try:
        return window(graph, op)
    except ValueError as exc:
        raise ValueError(str(exc).replace(f"{op.kind}: ", "")) from None


def interp_record(graph: Graph, op: Op, prep: dict, multiplier: int) -> tuple:
    """The record mbi_op_conv.c prepares (int8, int16, float32) from the preparation `prep`."""
    fields = ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h", "pad_w", "act_min",
              "act_max")
    if graph.tensors[op.outputs[0]].dtype == "float32":
        return CONV_F32_DATA, {**{f: prep[f] for f in fields}, "depth_multiplier": multiplier}
    s8 = graph.tensors[op.outputs[0]].dtype == "int8"
    return CONV_DATA, {**{f: prep[f] for f in fields}, "depth_multiplier": multiplier,
                       "input_offset": prep["input_offset"] if s8 else 0,
                       "output_offset": prep["output_offset"] if s8 else 0,
                       "requant": Table(REQUANT, prep["requant"])}


def bias_name(gen, op: Op) -> str:
    """The bias argument: a constant array, or 0 for none."""
    return gen.weight(op.inputs[2]) if len(op.inputs) > 2 else "0"


def opt_operands(graph: Graph, op: Op, filter_rank: int = 4):
    """(input, filter, output) of an operator the interpreter's optimized prepare takes: int8
    activations, a constant int8 filter of `filter_rank`, a constant int32 bias or none; else
    None (the reference registration runs it)."""
    ts = fold.int8_operands(graph, op, 2)
    if ts is None or ts[0].is_const or not ts[1].is_const or ts[2].is_const or \
            not fold.bias_ok(graph, op):
        return None
    x, w, y = ts
    if len(w.shape) != filter_rank or (filter_rank == 4 and (len(x.shape) != 4 or
                                                             len(y.shape) != 4)):
        return None
    return x, w, y


class Weighted(OpSpec):
    """CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: one reference kernel per type,
    runtime/kernels/<stem>[_s16|_f32].c, each with its params struct (`structs`) filled by the
    module's preparation of that type (`params`: type -> function; integer ones give "requant",
    the (mult, shift) per channel, which becomes a table)."""

    header = "mb_kernels.h"
    stem = ""
    structs: dict = {}
    params: dict = {}
    HEADERS = {"float32": "mb_kernels_f32.h", "int16": "mb_kernels_s16.h"}
    SUFFIX = {"float32": "f32", "int16": "s16", "int8": "s8"}

    def check(self, graph: Graph, op: Op) -> None:
        def checked(check, dtype: str):
            def run(g: Graph, o: Op) -> None:
                check(g, o)
                self.params[dtype](g, o)  # the preparation has checks of its own
            return run
        check_by_type(graph, op, checked(check_s8, "int8"), checked(check_s16, "int16"),
                      check_f32)

    def emit(self, gen, i: int, op: Op) -> None:
        dtype = out_dtype(gen.g, op)
        sfx = self.SUFFIX[dtype]
        gen.use(f"kernels/{self.stem}{'' if dtype == 'int8' else '_' + sfx}.c",
                *([] if dtype == "float32" else ["kernels/requant.c"]),
                header=self.HEADERS.get(dtype))
        prep, struct = self.params[dtype](gen.g, op), self.structs[dtype]
        if "requant" in prep:
            prep["requant"] = gen.requant_table(f"op{i}_requant", prep["requant"])
        gen.struct(f"op{i}_params", struct(**{f.py: prep[f.py] for f in struct.fields}))
        gen.calls.append(self.call(gen, i, op, f"mb_{self.stem}_{sfx}", conv_bias(gen, op)))

    def call(self, gen, i: int, op: Op, fn: str, bias: str) -> str:
        """The kernel call of a convolution (the shapes as mb_dims)."""
        g, p = gen.g, f"op{i}"
        x, y = op.inputs[0], op.outputs[0]
        return (f"  {fn}(&{p}_params, {gen.dims(p + '_in', g.tensors[x].shape)}, "
                f"{gen.act(x, True)}, {gen.dims(p + '_filter', g.tensors[op.inputs[1]].shape)}, "
                f"{gen.weight(op.inputs[1])}, {bias}, "
                f"{gen.dims(p + '_out', g.tensors[y].shape)}, {gen.act(y, False)});")

    def interp_records(self, graph: Graph, op: Op) -> int:
        """mbi_op_conv.c's record (the convolutions; FULLY_CONNECTED has its own)."""
        if out_dtype(graph, op) == "float32":
            return record(CONV_F32_DATA)
        return record(CONV_DATA) + records(nhwc(graph.tensors[op.outputs[0]].shape)[3],
                                           REQUANT.size())


conv_bias = bias_name
