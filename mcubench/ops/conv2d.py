"""CONV_2D: int8 (reference and optimized kernels), int16 activations with int8 weights (16x8),
float32; grouped convolutions (filter depth below the input's) on the reference kernels.

- int8 reference: runtime/kernels/conv2d.c (TFLite Micro's ConvPerChannel), parameters as TFLite
  Micro's Prepare computes them (common/conv.py).
- int8 optimized (``aot.kernels=opt``, ``interp.kernels=opt``): the GEMM of runtime/kernels/opt/
  (mb_conv2d_s8_opt: pixel pairs x blocks of 8 channels, im2col columns in scratch), or, with
  ``specialize``, a kernel compiled for the layer's depth k (conv1x1_tpl.h: 4x4 register blocks)
  for dense 1x1 convolutions and for those the GEMM would gather entirely into im2col columns. The
  interpreter runs its own GEMM over the model's OHWI rows (runtime/interp/mbi_gemm_tpl.h).
- int16: runtime/kernels/conv2d_s16.c, TFLite Micro's accumulator choice by the bias type.
- float32: runtime/kernels/conv2d_f32.c.
"""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32, record
from .common import conv, fold
from .common.check import out_dtype
from .common.cstruct import F32, I8, I16, I32, RECORDS, Struct, fields, ptr
from .common.qmath import nhwc

PARAMS = Struct(
    "mb_conv2d_params", "CONV_2D, int8 (filter OHWI; fewer filter than input channels: grouped).",
    *conv.window_fields(), *conv.QUANT_FIELDS)
PARAMS_F32 = Struct(
    "mb_conv2d_f32_params", "CONV_2D, float32: act_min/act_max are the fused activation; NONE is "
                            "[-FLT_MAX, FLT_MAX] as in TFLite.",
    *conv.window_fields(),
    fields(F32, "act_min", "act_max"))
PARAMS_S16 = Struct(
    "mb_conv2d_s16_params", "CONV_2D, int16 activations with int8 weights (16x8).",
    *conv.window_fields(),
    fields(I32, "acc64", doc="1: bias is int64_t[] (or none) and the accumulator int64; 0: int32"),
    *conv.QUANT_FIELDS[1:])
PARAMS_OPT = Struct(
    "mb_conv2d_opt_params", "CONV_2D on the optimized kernels (mb_conv2d_s8_opt, the im2col "
                            "instances of conv1x1_tpl.h).",
    *conv.window_fields(),
    fields(I32, "pad_value", doc="the input zero point: what a padded position reads"),
    fields(ptr(I8, const=False), "scratch",
           doc="im2col columns: 2 * filter_h * filter_w * in_c bytes (not for 1x1)"),
    fields(fold.REQUANT_OPT, "rq"))
OPT_DATA = Struct(
    "mbi_conv_opt_data", "The interpreter's optimized CONV_2D.",
    fields(I16, "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h", "pad_w"),
    fields(I32, "pad_value", "k", "gemm", "dense",
           doc="the input zero point; filter_h * filter_w * in_c; the index in mbi_gemm_kernels "
               "(-1: mbi_gemm_any); 1x1, stride 1: the input rows are the GEMM's (no im2col)"),
    fields(fold.RQ_OPT_DATA, "rq"),
    header=RECORDS)

OPT_SOURCES = ("kernels/opt/conv2d_opt.c", "kernels/opt/gemm.c")
SPEC_TEMPLATE = "kernels/opt/conv1x1_tpl.h"  # instantiated per input depth K as conv1x1_k<K>.c


def spec_function(k: int, relu: int, im2col: bool = False) -> str:
    """A kernel specialized for depth k and output case relu (conv1x1_tpl.h)."""
    return f"mb_conv{'' if im2col else '1x1'}_s8_k{k}{'_relu' if relu else ''}"


def params_s8(graph: Graph, op: Op) -> dict:
    """mb_conv2d_params fields; "requant": (mult, shift) per output channel."""
    return conv.params_s8(graph, op)


def params_f32(graph: Graph, op: Op) -> dict:
    """mb_conv2d_f32_params: the window and the fused activation as a float clamp."""
    p = conv.window_f32(graph, op)
    return {**p, **conv.f32_clamp(op)}


def params_s16(graph: Graph, op: Op) -> dict:
    """mb_conv2d_s16_params fields; "requant": (mult, shift) per output channel."""
    acc = conv.acc64(graph, op)
    n_out = nhwc(graph.tensors[op.outputs[0]].shape)[3]
    return {**conv.window(graph, op), "acc64": acc, **conv.act_range_s16(graph, op),
            "requant": conv.requant_s16(graph, op, n_out, acc)}


def prepare_opt(graph: Graph, op: Op, specialize: bool = True) -> dict | None:
    """mb_conv2d_opt_params fields plus "filter" (packed) and "scratch" (bytes), or None.
    With `specialize`, a dense 1x1 conv (stride 1, at least 4 pixels and channels) goes to the
    kernel specialized for its depth (conv1x1_tpl.h): "k" is set, "filter" packed for it."""
    x, w = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
    out_c, fh, fw, fc = (int(d) for d in w.shape)
    if fc != nhwc(x.shape)[3]:  # grouped convolution: the reference kernel does it
        return None
    prep = conv.params_s8(graph, op)
    taps = np.asarray(w.data, np.int64).reshape(out_c, -1)  # OHWI: (fy, fx, ic) per channel
    b = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
    rq = fold.requant_opt(prep, fold.fold_bias(None if b is None else b.data, taps,
                                               prep["input_offset"]), True)
    if rq is None:
        return None
    k = fh * fw * fc
    out_shape = graph.tensors[op.outputs[0]].shape
    n, oh, ow, _ = nhwc(out_shape)
    taps2d = np.asarray(w.data, np.int8).reshape(out_c, k)
    window = {f: prep[f] for f in ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h",
                                   "pad_w")}
    if specialize and fh == fw == 1 and prep["stride_h"] == prep["stride_w"] == 1 and \
            n * oh * ow >= 4 and out_c >= 4:
        return {"k": k, "pixels": n * oh * ow, "out_c": out_c, "rq": rq,
                "filter": fold.pack_blocks4(taps2d), "scratch": 0,
                "overlap": fold.overlap(op.inputs[0], fold.conv_lag(x.shape, out_shape, prep, 4))}
    # mb_conv2d_s8_opt would gather every field into im2col columns (runs shorter than 8 bytes with
    # more than 8 channels, or dilated columns): the 4x4 blocks of the specialized kernel do better
    gathers_all = fh * fw > 1 and (prep["dilation_w"] != 1 or (fw * fc < 8 and out_c > 8))
    if specialize and gathers_all and n * oh * ow >= 4:
        return {**window, "k": k, "im2col": True, "pad_value": -prep["input_offset"], "rq": rq,
                "filter": fold.pack_blocks4(taps2d), "scratch": 4 * k,
                "overlap": fold.overlap(op.inputs[0], fold.conv_lag(x.shape, out_shape, prep, 4))}
    return {**window, "pad_value": -prep["input_offset"], "rq": rq,
            "filter": fold.pack_gemm(taps2d), "scratch": 0 if fh == fw == 1 else 2 * k,
            "overlap": fold.overlap(op.inputs[0], fold.conv_lag(x.shape, out_shape, prep))}


class Conv2D(conv.Weighted, kind="CONV_2D", types=INT8_INT16_F32,
             note="int16: 16x8 (int8 weights); int8 also on the `opt` kernels"):
    stem = "conv2d"
    prepare = "mbi_conv2d_prepare"
    evaluate = "mbi_conv2d_eval"
    interp_files = ("interp/mbi_op_conv.c", "interp/mbi_op_conv2d.c", "kernels/conv2d.c",
                    "kernels/conv2d_f32.c", "interp/mbi_s16.h", "interp/mbi_prep_s16.c",
                    "kernels/conv2d_s16.c")
    opt_interp = ("mbi_conv2d_opt_prepare", "mbi_conv2d_opt_eval")
    opt_files = ("interp/mbi_op_conv2d_opt.c",)
    structs = {"int8": PARAMS, "int16": PARAMS_S16, "float32": PARAMS_F32}
    params = {"int8": params_s8, "int16": params_s16, "float32": params_f32}

    def check_interp(self, graph: Graph, op: Op) -> None:
        x, w = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
        groups = x.shape[3] // w.shape[3]
        if w.shape[0] % groups:
            raise ValueError(f"{w.shape[0]} filters cannot be split into {groups} groups")

    def prepare_opt(self, graph: Graph, op: Op, config: dict) -> dict | None:
        if out_dtype(graph, op) != "int8":
            return None
        return prepare_opt(graph, op, specialize=config.get("specialize", True))

    def emit_opt(self, gen, i: int, op: Op, o: dict) -> None:
        g, p = gen.g, f"op{i}"
        x, y = op.inputs[0], op.outputs[0]
        fn = "mb_conv2d_s8_opt"
        gen.use(header="kernels/opt/mb_kernels_opt.h")
        if "k" in o:  # on the kernel specialized for its depth k (dense 1x1, or all-im2col conv)
            key = (o["k"], o["rq"]["relu"])
            fn = spec_function(*key, o.get("im2col", False))
            instances = gen.state(self.kind, dict)  # (k, relu) -> with its im2col variant
            instances[key] = instances.get(key, False) or o.get("im2col", False)
            if o.get("im2col"):
                gen.use(*OPT_SOURCES)  # mb_im2col_s8 lives in conv2d_opt.c
        else:
            gen.use(*OPT_SOURCES)  # the linker drops what no call needs (--gc-sections)
        rq, filt = fold.emit_requant_opt(
            gen, i, o["rq"], o["filter"],
            f"operator {i}: {gen.short(g.tensors[op.inputs[1]].name)}, reordered for {fn}")
        if "k" in o and not o.get("im2col"):
            gen.define("mb_requant_opt", f"{p}_rq", rq)
            gen.calls.append(f"  {fn}(&{p}_rq, {o['pixels']}, {o['out_c']}, {gen.act(x, True)}, "
                             f"{filt}, {gen.act(y, False)});")
            return
        scratch = f"(int8_t *)(mb_arena + {gen.plan.scratch[i]})" if o["scratch"] else None
        gen.struct(f"{p}_params", PARAMS_OPT(
            **{f: o[f] for f in ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h",
                                 "pad_w", "pad_value")}, scratch=scratch, rq=rq))
        gen.calls.append(
            f"  {fn}(&{p}_params, {gen.dims(p + '_in', g.tensors[x].shape)}, {gen.act(x, True)}, "
            f"{gen.dims(p + '_filter', g.tensors[op.inputs[1]].shape)}, {filt}, "
            f"{gen.dims(p + '_out', g.tensors[y].shape)}, {gen.act(y, False)});")

    def finish(self, gen) -> None:
        """The specialized kernels the model uses, one source each (conv1x1_k<K>[_relu].c)."""
        instances = gen.state(self.kind, dict)
        if not instances:
            return
        gen.use(SPEC_TEMPLATE)
        gen.protos("Convolutions on kernels specialized per depth k (conv1x1_k<K>.c)", [
            *(f"void {spec_function(*key)}(const mb_requant_opt *rq, int32_t pixels, "
              "int32_t out_c, const int8_t *in, const int8_t *filter, int8_t *out);"
              for key in sorted(instances)),
            *(f"void {spec_function(*key, True)}(const mb_conv2d_opt_params *p, "
              "const mb_dims *in_dims, const int8_t *in, const mb_dims *filter_dims, "
              "const int8_t *filter, const mb_dims *out_dims, int8_t *out);"
              for key, im2col in sorted(instances.items()) if im2col)])
        for (k, relu), im2col in sorted(instances.items()):
            fn2 = f"#define MB_IM2COL_FN {spec_function(k, relu, True)}\n" if im2col else ""
            gen.generate(
                f"conv1x1_k{k}{'_relu' if relu else ''}.c",
                f"/* Generated by mcubench (aot backend): convolutions specialized for depth {k} "
                f"(conv1x1_tpl.h). */\n#define MB_K {k}\n#define MB_RELU {relu}\n"
                f"#define MB_FN {spec_function(k, relu)}\n{fn2}"
                f'#include "conv1x1_tpl.h"\n')

    # interp ----------------------------------------------------------------------------------
    def interp_record(self, graph: Graph, op: Op) -> tuple:
        return conv.interp_record(graph, op, self.params[out_dtype(graph, op)](graph, op), 1)

    def interp_opt_plan(self, graph: Graph, op: Op) -> dict | None:
        operands = conv.opt_operands(graph, op)
        if operands is None:
            return None
        x, w, y = operands
        _, fh, fw, fc = (int(d) for d in w.shape)
        if fc != int(x.shape[3]):  # grouped
            return None
        prep = conv.params_s8(graph, op)
        if not fold.fast(prep["requant"]):
            return None
        k = fh * fw * fc
        dense = fh == fw == 1 and prep["stride_h"] == prep["stride_w"] == 1
        return {"records": record(OPT_DATA) + fold.stage_records(int(y.shape[3])),
                "scratch": 0 if dense else 4 * k, "k": k}
