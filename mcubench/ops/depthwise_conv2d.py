"""DEPTHWISE_CONV_2D: int8 (reference and, for 3x3 filters with depth multiplier 1 and no
dilation, optimized kernels), int16 activations with int8 weights (16x8), float32.

- int8 reference: runtime/kernels/depthwise_conv2d.c (TFLite Micro's DepthwiseConvPerChannel).
- int8 optimized: mb_depthwise_conv2d_s8_opt_rows (runtime/kernels/opt/depthwise_conv2d_opt.c)
  over a ring of three padded input rows in scratch, taps as [channel][9], one row function per
  case (stride 1 or 2, with or without relu, any) so a model links only its cases.
- int16: runtime/kernels/depthwise_conv2d_s16.c (always TFLite Micro's int64 accumulator).
- float32: runtime/kernels/depthwise_conv2d_f32.c.
"""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32, record
from .common import conv, fold
from .common.check import out_dtype
from .common.cstruct import F32, I8, I16, I32, RECORDS, U32, Struct, fields, ptr
from .common.qmath import nhwc

PARAMS = Struct(
    "mb_depthwise_conv2d_params", "DEPTHWISE_CONV_2D, int8 (filter 1HW(C*M): output channel "
                                  "ic * M + m reads input channel ic).",
    *conv.window_fields(), fields(I16, "depth_multiplier"), *conv.QUANT_FIELDS)
PARAMS_F32 = Struct(
    "mb_depthwise_conv2d_f32_params", "DEPTHWISE_CONV_2D, float32.",
    *conv.window_fields(), fields(I16, "depth_multiplier"), fields(F32, "act_min", "act_max"))
PARAMS_S16 = Struct(
    "mb_depthwise_conv2d_s16_params", "DEPTHWISE_CONV_2D, int16 activations with int8 weights.",
    *conv.window_fields(), fields(I16, "depth_multiplier"), *conv.QUANT_FIELDS[1:])
PARAMS_OPT = Struct(
    "mb_depthwise_conv2d_opt_params", "DEPTHWISE_CONV_2D 3x3 on the optimized kernel.",
    *conv.window_fields(dilation=False),
    fields(I32, "pad_value"),
    fields(ptr(I8, const=False), "scratch",
           doc="3 padded input rows: 3 * ((out_w - 1) * stride_w + 3) * channels bytes"),
    fields(fold.REQUANT_OPT, "rq"))
OPT_DATA = Struct(
    "mbi_dw_opt_data", "The interpreter's optimized DEPTHWISE_CONV_2D.",
    fields(I16, "stride_h", "stride_w", "pad_h", "pad_w"),
    fields(I32, "pad_value"),
    fields(U32, "ring", doc="scratch bytes of the three padded rows; the taps [channel][9] follow"),
    fields(fold.RQ_OPT_DATA, "rq"),
    header=RECORDS)


def params_s8(graph: Graph, op: Op) -> dict:
    """mb_depthwise_conv2d_params fields; "requant": (mult, shift) per output channel."""
    return {**conv.params_s8(graph, op),
            "depth_multiplier": int(op.options.get("depth_multiplier", 1))}


def params_f32(graph: Graph, op: Op) -> dict:
    return {**conv.window_f32(graph, op),
            "depth_multiplier": int(op.options.get("depth_multiplier", 1)), **conv.f32_clamp(op)}


def params_s16(graph: Graph, op: Op) -> dict:
    """mb_depthwise_conv2d_s16_params fields; "requant": (mult, shift) per output channel."""
    conv.acc64(graph, op)
    n_out = nhwc(graph.tensors[op.outputs[0]].shape)[3]
    multiplier = n_out // nhwc(graph.tensors[op.inputs[0]].shape)[3]  # as TFLite: from the shapes
    return {**conv.window(graph, op), "depth_multiplier": multiplier,
            **conv.act_range_s16(graph, op), "requant": conv.requant_s16(graph, op, n_out, 1)}


def prepare_opt(graph: Graph, op: Op) -> dict | None:
    """mb_depthwise_conv2d_opt_params fields plus "filter" ([channel][9]) and "scratch", or None."""
    w = graph.tensors[op.inputs[1]]
    _, fh, fw, ch = (int(d) for d in w.shape)
    prep = params_s8(graph, op)
    if (fh, fw) != (3, 3) or prep["depth_multiplier"] != 1 or \
            (prep["dilation_h"], prep["dilation_w"]) != (1, 1):
        return None
    taps = np.asarray(w.data, np.int64).reshape(9, ch).T  # 1HWC -> (channel, fy*3 + fx)
    if len(prep["requant"]) == 1:  # the kernel reads one entry per channel
        prep["requant"] = prep["requant"] * ch
    b = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
    rq = fold.requant_opt(prep, fold.fold_bias(None if b is None else b.data, taps,
                                               prep["input_offset"]), True)
    if rq is None:
        return None
    out_shape = graph.tensors[op.outputs[0]].shape
    cols = (nhwc(out_shape)[2] - 1) * prep["stride_w"] + 3
    lag = fold.depthwise_lag(graph.tensors[op.inputs[0]].shape, out_shape, prep)
    return {
        **{f: prep[f] for f in ("stride_h", "stride_w", "pad_h", "pad_w")},
        "pad_value": -prep["input_offset"], "rq": rq,
        "filter": np.ascontiguousarray(taps).astype(np.int8).ravel(),
        "scratch": 3 * cols * ch,  # the ring of three padded input rows
        "overlap": fold.overlap(op.inputs[0], lag),
    }


class DepthwiseConv2D(conv.Weighted, kind="DEPTHWISE_CONV_2D", types=INT8_INT16_F32,
                      note="int16: 16x8 (int8 weights); int8 also on the `opt` kernels"):
    stem = "depthwise_conv2d"
    prepare = "mbi_depthwise_conv2d_prepare"
    evaluate = "mbi_depthwise_conv2d_eval"
    interp_files = ("interp/mbi_op_conv.c", "interp/mbi_op_depthwise_conv2d.c",
                    "kernels/depthwise_conv2d.c", "kernels/depthwise_conv2d_f32.c",
                    "interp/mbi_s16.h", "interp/mbi_prep_s16.c", "kernels/depthwise_conv2d_s16.c")
    opt_interp = ("mbi_depthwise_conv2d_opt_prepare", "mbi_depthwise_conv2d_opt_eval")
    opt_files = ("interp/mbi_op_depthwise_conv2d_opt.c", "kernels/opt/depthwise_conv2d_opt.c")
    structs = {"int8": PARAMS, "int16": PARAMS_S16, "float32": PARAMS_F32}
    params = {"int8": params_s8, "int16": params_s16, "float32": params_f32}

    def prepare_opt(self, graph: Graph, op: Op, config: dict) -> dict | None:
        return prepare_opt(graph, op) if out_dtype(graph, op) == "int8" else None

    def emit_opt(self, gen, i: int, op: Op, o: dict) -> None:
        g, p = gen.g, f"op{i}"
        x, y = op.inputs[0], op.outputs[0]
        fn = "mb_depthwise_conv2d_s8_opt"
        gen.use("kernels/opt/depthwise_conv2d_opt.c", header="kernels/opt/mb_kernels_opt.h")
        rq, filt = fold.emit_requant_opt(
            gen, i, o["rq"], o["filter"],
            f"operator {i}: {gen.short(g.tensors[op.inputs[1]].name)}, reordered for {fn}")
        scratch = f"(int8_t *)(mb_arena + {gen.plan.scratch[i]})" if o["scratch"] else None
        gen.struct(f"{p}_params", PARAMS_OPT(
            **{f: o[f] for f in ("stride_h", "stride_w", "pad_h", "pad_w", "pad_value")},
            scratch=scratch, rq=rq))
        # on the row function of its case: only the cases the model has are linked
        case = {1: "_s1", 2: "_s2"}.get(o["stride_w"])
        rows = f"mb_dw_rows{case}{'_relu' if o['rq']['relu'] else ''}" if case else \
            "mb_dw_rows_any"
        gen.calls.append(
            f"  {fn}_rows(&{p}_params, {gen.dims(p + '_in', g.tensors[x].shape)}, "
            f"{gen.act(x, True)}, {filt}, {gen.dims(p + '_out', g.tensors[y].shape)}, "
            f"{gen.act(y, False)}, {rows});")

    # interp ----------------------------------------------------------------------------------
    def interp_record(self, graph: Graph, op: Op) -> tuple:
        prep = self.params[out_dtype(graph, op)](graph, op)
        # the interpreter takes the multiplier from the shapes, as TFLite Micro
        multiplier = nhwc(graph.tensors[op.outputs[0]].shape)[3] // \
            nhwc(graph.tensors[op.inputs[0]].shape)[3]
        return conv.interp_record(graph, op, prep, multiplier)

    def interp_opt_plan(self, graph: Graph, op: Op) -> dict | None:
        operands = conv.opt_operands(graph, op)
        if operands is None:
            return None
        x, w, y = operands
        _, fh, fw, fc = (int(d) for d in w.shape)
        ch = int(y.shape[3])
        if (fh, fw) != (3, 3) or fc != int(x.shape[3]) or ch != fc:
            return None
        prep = params_s8(graph, op)
        if (prep["dilation_h"], prep["dilation_w"]) != (1, 1) or not fold.fast(prep["requant"]):
            return None
        ring = 3 * ((int(y.shape[2]) - 1) * prep["stride_w"] + 3) * ch
        return {"records": record(OPT_DATA) + fold.stage_records(ch), "scratch": ring + 9 * ch,
                "k": None}
