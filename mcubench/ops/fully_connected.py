"""FULLY_CONNECTED: int8 (reference and optimized kernels), int16 activations with int8 weights
(16x8), float32; filter per tensor or per output unit, optional bias, any number of batches (the
input's leading dimensions).

- int8 reference: runtime/kernels/fully_connected.c (TFLite Micro's FullyConnected[PerChannel]).
- int8 optimized: the GEMM of runtime/kernels/opt/ (filter packed in blocks of 8 units), or below
  SMALL_MACS multiply-accumulates a plain loop over the model's filter order (a classifier head:
  a few thousand instructions more, but the GEMM's ~5 kB of code is not linked unless something
  else needs it). The interpreter runs its GEMM over the model's rows (mbi_gemm_tpl.h).
- int16 / float32: runtime/kernels/fully_connected_s16.c / fully_connected_f32.c.
"""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32, Table, record, records
from .common import conv, fold
from .common.check import out_dtype
from .common.cstruct import F32, I32, RECORDS, U32, Struct, fields, ptr
from .common.qmath import (
    activation_range,
    fused,
    qparams_s8,
    requant_per_channel,
    requant_per_tensor,
)
from .common.structs import REQUANT

PARAMS = Struct(
    "mb_fully_connected_params", "FULLY_CONNECTED, int8.",
    fields(I32, "input_offset"),
    fields(I32, "output_offset"),
    fields(I32, "act_min", "act_max"),
    fields(ptr(REQUANT), "requant", doc="one per output unit if per_channel, else one"),
    fields(I32, "per_channel"))
PARAMS_F32 = Struct("mb_fully_connected_f32_params", "FULLY_CONNECTED, float32.",
                    fields(F32, "act_min", "act_max"))
PARAMS_S16 = Struct(
    "mb_fully_connected_s16_params", "FULLY_CONNECTED, int16 activations with int8 weights.",
    fields(I32, "acc64", doc="as for the conv"),
    fields(I32, "per_channel"),
    fields(I32, "act_min", "act_max"),
    fields(ptr(REQUANT), "requant", doc="one per output unit if per_channel, else one"))
DATA = Struct(
    "mbi_fc_data", "FULLY_CONNECTED (int8 and int16) prepared at setup.",
    fields(I32, "input_offset", "output_offset", "act_min", "act_max"),
    fields(I32, "per_channel", "batches", "in_features", "out_units"),
    fields(U32, "requant", doc="arena offset of the mb_requant entries"),
    header=RECORDS)
DATA_F32 = Struct(
    "mbi_fc_f32_data", "float32 FULLY_CONNECTED prepared at setup.",
    fields(F32, "act_min", "act_max"),
    fields(I32, "batches", "in_features", "out_units"),
    header=RECORDS)
OPT_DATA = Struct(
    "mbi_fc_opt_data", "The interpreter's optimized FULLY_CONNECTED.",
    fields(I32, "batches", "in_features", "out_units"),
    fields(I32, "gemm"),
    fields(fold.RQ_OPT_DATA, "rq"),
    header=RECORDS)

# Multiply-accumulates below which a fully connected layer (a classifier head: aww 768, vww 512,
# resnet 640) runs on mb_fully_connected_s8_small (see the module's docstring).
SMALL_MACS = 1024


def sizes(graph: Graph, op: Op) -> dict:
    """The call's sizes: batches x in_features -> batches x out_units."""
    x, f = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
    out_units, in_features = int(f.shape[0]), int(f.shape[-1])
    return {"batches": x.size // in_features, "in_features": in_features, "out_units": out_units}


def params_s8(graph: Graph, op: Op) -> dict:
    """mb_fully_connected_params fields plus "requant" (pairs) and the call's sizes."""
    f_t, out_t = graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    in_scale, in_zp = qparams_s8(graph, op.inputs[0])
    out_scale, out_zp = qparams_s8(graph, op.outputs[0])
    if np.any(f_t.quant.zero_point != 0):
        raise ValueError("FULLY_CONNECTED: int8 filters must be symmetric (zero point 0)")
    per_channel = f_t.quant.per_channel
    if per_channel:
        requant = requant_per_channel(in_scale, f_t.quant.scale, out_scale)
    else:
        requant = [requant_per_tensor(in_scale, f_t.quant.scale[0], out_scale)]
    act_min, act_max = activation_range(fused(op), out_scale, out_zp, out_t.dtype)
    return {"input_offset": -in_zp, "output_offset": out_zp, "act_min": act_min,
            "act_max": act_max, "requant": requant, "per_channel": int(per_channel),
            **sizes(graph, op)}


def params_s16(graph: Graph, op: Op) -> dict:
    """mb_fully_connected_s16_params fields plus "requant" and the call's sizes."""
    f = graph.tensors[op.inputs[1]]
    s = sizes(graph, op)
    acc = conv.acc64(graph, op)
    per_channel = int(f.quant is not None and f.quant.per_channel)
    requant = conv.requant_s16(graph, op, s["out_units"] if per_channel else 1, acc)
    return {"acc64": acc, "per_channel": per_channel, **conv.act_range_s16(graph, op),
            "requant": requant, **s}


def prepare_opt(graph: Graph, op: Op, small_macs: int = 0) -> dict | None:
    """"rq" (mb_requant_opt fields), "filter" and the call's sizes, or None. Below `small_macs`
    multiply-accumulates "small" is set and the filter keeps the model's order (the plain loop of
    mb_fully_connected_s8_small); otherwise it is packed for the GEMM."""
    w = graph.tensors[op.inputs[1]]
    prep = params_s8(graph, op)
    b = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
    rq = fold.requant_opt(prep, fold.fold_bias(None if b is None else b.data,
                                               np.asarray(w.data, np.int64),
                                               prep["input_offset"]),
                          bool(prep["per_channel"]))
    if rq is None:
        return None
    s = {k: prep[k] for k in ("batches", "in_features", "out_units")}
    small = s["batches"] * s["in_features"] * s["out_units"] < small_macs
    filt = np.asarray(w.data, np.int8)
    return {"rq": rq, "filter": filt.ravel() if small else fold.pack_gemm(filt), "small": small,
            "scratch": 0, "overlap": [], **s}


class FullyConnected(conv.Weighted, kind="FULLY_CONNECTED", types=INT8_INT16_F32,
                     note="int16: 16x8 (int8 weights); int8 also on the `opt` kernels"):
    stem = "fully_connected"
    interp_files = ("interp/mbi_op_fully_connected.c", "kernels/fully_connected.c",
                    "kernels/fully_connected_f32.c", "interp/mbi_s16.h", "interp/mbi_prep_s16.c",
                    "kernels/fully_connected_s16.c")
    opt_interp = ("mbi_fully_connected_opt_prepare", "mbi_fully_connected_opt_eval")
    opt_files = ("interp/mbi_op_fully_connected_opt.c",)
    structs = {"int8": PARAMS, "int16": PARAMS_S16, "float32": PARAMS_F32}
    params = {"int8": params_s8, "int16": params_s16,
              "float32": lambda g, op: {**conv.f32_clamp(op), **sizes(g, op)}}

    def call(self, gen, i: int, op: Op, fn: str, bias: str) -> str:
        s = sizes(gen.g, op)
        return (f"  {fn}(&op{i}_params, {s['batches']}, {s['in_features']}, "
                f"{gen.act(op.inputs[0], True)}, {s['out_units']}, {gen.weight(op.inputs[1])}, "
                f"{bias}, {gen.act(op.outputs[0], False)});")

    def prepare_opt(self, graph: Graph, op: Op, config: dict) -> dict | None:
        if out_dtype(graph, op) != "int8":
            return None
        return prepare_opt(graph, op, SMALL_MACS)

    def emit_opt(self, gen, i: int, op: Op, o: dict) -> None:
        g, p = gen.g, f"op{i}"
        x, y = op.inputs[0], op.outputs[0]
        gen.use("kernels/opt/fully_connected_opt.c", "kernels/opt/gemm.c",
                header="kernels/opt/mb_kernels_opt.h")
        # a small layer: its plain loop, the GEMM not linked (--gc-sections drops it)
        fn = "mb_fully_connected_s8_small" if o.get("small") else "mb_fully_connected_s8_opt"
        rq, filt = fold.emit_requant_opt(
            gen, i, o["rq"], o["filter"],
            f"operator {i}: {gen.short(g.tensors[op.inputs[1]].name)}, reordered for {fn}")
        gen.define("mb_requant_opt", f"{p}_rq", rq)
        gen.calls.append(
            f"  {fn}(&{p}_rq, {o['batches']}, {o['in_features']}, {gen.act(x, True)}, "
            f"{o['out_units']}, {filt}, {gen.act(y, False)});")

    # interp ----------------------------------------------------------------------------------
    def interp_records(self, graph: Graph, op: Op) -> int:
        if out_dtype(graph, op) == "float32":
            return record(DATA_F32)
        f = graph.tensors[op.inputs[1]]
        return record(DATA) + records(int(f.shape[0]) if f.quant.per_channel else 1,
                                      REQUANT.size())

    def interp_record(self, graph: Graph, op: Op) -> tuple:
        dtype = out_dtype(graph, op)
        prep = self.params[dtype](graph, op)
        if dtype == "float32":
            return DATA_F32, prep
        s8 = dtype == "int8"
        return DATA, {**{k: prep[k] for k in ("act_min", "act_max", "per_channel", "batches",
                                              "in_features", "out_units")},
                      "input_offset": prep["input_offset"] if s8 else 0,
                      "output_offset": prep["output_offset"] if s8 else 0,
                      "requant": Table(REQUANT, prep["requant"])}

    def interp_opt_plan(self, graph: Graph, op: Op) -> dict | None:
        operands = conv.opt_operands(graph, op, filter_rank=2)
        if operands is None or not fold.fast(params_s8(graph, op)["requant"]):
            return None
        w = operands[1]
        units, k = int(w.shape[0]), int(w.shape[1])
        return {"records": record(OPT_DATA) + fold.stage_records(units), "scratch": 0, "k": k}
