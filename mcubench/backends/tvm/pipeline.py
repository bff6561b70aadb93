"""The Relax pipeline of the tvm-aot backend: import -> int8 rewrite -> layout -> legalize ->
fuse -> schedule -> static memory plan. It stops where TVM's VM-specific passes would begin:
``main`` is then a flat list of kernel calls on ``R.memory.alloc_storage``/``alloc_tensor`` buffers
with sizes and offsets, which emit_model.py turns into C.
"""
from __future__ import annotations

from dataclasses import dataclass

import tflite
import tvm
from tvm import relax

from ...errors import ModelError
from ...frontends.tflite_writer import write_tflite
from ...ir.graph import Graph
from . import fuse, kernels, schedule
from .rewrite import Report, rewrite_int8

TARGET = "c"  # only for target-dependent defaults of passes; the C is printed by emit_c.py


@dataclass
class Options:
    layout: str = "NHWC"
    opt_level: int = 3
    schedule: str = "default"
    allow_float_fallback: bool = False


def import_tflite(graph: Graph) -> tvm.IRModule:
    """The IR graph, written back to a .tflite flatbuffer, through TVM's TFLite frontend."""
    from tvm.relax.frontend.tflite import from_tflite

    buf = write_tflite(graph)
    try:
        return from_tflite(tflite.Model.GetRootAsModel(buf, 0))
    except Exception as exc:  # the frontend asserts / raises on operators it does not know
        raise ModelError(f"TVM's TFLite frontend cannot import {graph.name!r}: "
                         f"{type(exc).__name__}: {exc}") from None


def to_int8(mod: tvm.IRModule, graph: Graph, allow_float_fallback: bool) \
        -> tuple[tvm.IRModule, Report]:
    betas = [float(op.options.get("beta", 1.0)) for op in graph.ops if op.kind == "SOFTMAX"]
    mod, report = rewrite_int8(mod, betas)
    if report.float_ops and not allow_float_fallback:
        ops = ", ".join(f"{k} x{n}" for k, n in sorted(report.float_ops.items()))
        raise ModelError(
            f"tvm-aot: {graph.name}: operators not rewritten to int8 (they would run as "
            f"dequantize -> float -> quantize, not bit-exact): {ops}; allow that with "
            "-c tvm-aot.allow_float_fallback=1")
    return mod, report


def optimize(mod: tvm.IRModule, opts: Options) -> tvm.IRModule:
    """Layout, legalization to TIR, fusion, schedules, memory planning."""
    target = tvm.target.Target(TARGET)
    passes = []
    if opts.layout == "NCHW":
        # pools take no desired layout: they follow their input's
        passes += [relax.transform.ConvertLayout({"relax.nn.conv2d": ["NCHW", "OIHW"]})]
    passes += [
        relax.transform.FoldConstant(),
        relax.transform.LegalizeOps({"relax.nn.avg_pool2d": kernels.legalize_avg_pool2d}),
        relax.transform.AnnotateTIROpPattern(),
        relax.transform.FoldConstant(),
        fuse.HoldProducers(),
        relax.transform.FuseOps(),
        fuse.MergeProducers(),
        relax.transform.FuseTIR(),
        relax.transform.DeadCodeElimination(["main"]),
        schedule.Schedule(opts.schedule),
        relax.transform.RewriteDataflowReshape(),
        relax.transform.ToNonDataflow(),
        relax.transform.RemovePurityChecking(),
        relax.transform.CallTIRRewrite(),
        relax.transform.StaticPlanBlockMemory(),
    ]
    with target, tvm.transform.PassContext(opt_level=opts.opt_level):
        return tvm.transform.Sequential(passes)(mod)
