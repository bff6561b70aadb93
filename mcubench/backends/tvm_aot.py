"""TVM backend ``tvm-aot``: TVM 0.27 (PyPI ``apache-tvm``) Relax, lowered to plain C by mcubench.

Modern TVM has no Relay, microTVM, AOT executor or C runtime, so mcubench rebuilds the AOT path
(pieces in backends/tvm/):

1. pipeline.import_tflite: the IR graph, written back to .tflite, through TVM's TFLite frontend
   (``relax.frontend.tflite.from_tflite``): every quantized op arrives as
   dequantize -> float -> quantize.
2. rewrite.py: Relax dataflow patterns turn those chains into int8 ops with int32 accumulation and
   TFLite's fixed-point requantization, bit-exact with TFLite Micro (softmax: a TE kernel,
   kernels.py).
3. pipeline.optimize: optional NCHW ConvertLayout, legalization to TIR, FuseOps (+ fuse.py merging
   padding into convolutions), FuseTIR, schedules (schedule.py), StaticPlanBlockMemory.
4. emit_c.py / emit_model.py: TIR lowered by hand to typed-pointer C; ``main``'s flat list of kernel
   calls on planned storage becomes ``mb_model_invoke`` over one static arena and ``const`` weights.

The generated C has no TVM runtime, no TVM headers and no allocation; it implements mb_model.h, so
the common harness and every target run it.
"""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from ..component import Need
from ..config import Key
from ..errors import MissingDependency, ModelError
from ..ir.graph import Graph
from .base import Backend

INSTALL = "pip install mcubench[tvm]  (or: pip install apache-tvm==0.27.*)"
PACKAGE = Path(__file__).parent / "tvm"


class TvmAot(Backend):
    name = "tvm-aot"
    description = ("TVM 0.27 Relax (PyPI apache-tvm), int8 rewrite, lowered to plain C: static "
                   "arena, const weights, one call per fused kernel")
    keys = (
        Key("layout", str, "NHWC", "activation layout of convolutions and pools (NCHW: Relax "
                                   "ConvertLayout, transposes at the edges)", ("NHWC", "NCHW")),
        Key("opt_level", int, 3, "TVM PassContext opt_level: 0 disables operator fusion (every op "
                                 "its own kernel)", (0, 1, 2, 3, 4)),
        Key("schedule", str, "default", "default: mcubench's generic TIR schedules (inline "
                                        "producers, fuse requantization into the accumulation "
                                        "loop, hoisted accumulator init); simple: TVM's legalized "
                                        "TIR unscheduled", ("default", "simple")),
        Key("allow_float_fallback", bool, False, "run ops the int8 rewrite does not cover as "
                                                 "dequantize -> float -> quantize (not bit-exact)"),
    )
    needs = (Need("tvm", INSTALL, kind="python"),)

    @classmethod
    def version(cls) -> str:
        """Covers the backends/tvm package and the installed TVM, not just this file."""
        h = hashlib.sha256(super().version().encode())
        for p in sorted(PACKAGE.glob("*.py")):
            h.update(p.read_bytes())
        spec = importlib.util.find_spec("tvm")
        if spec is not None and spec.origin:
            version_file = Path(spec.origin).parent / "_version.py"
            if version_file.is_file():
                h.update(version_file.read_bytes())
        return h.hexdigest()[:16]

    def check(self, graph: Graph) -> None:
        if importlib.util.find_spec("tvm") is None:
            raise MissingDependency(f"backend tvm-aot needs Apache TVM 0.27: {INSTALL}")
        for t in graph.inputs + graph.outputs:
            if graph.tensors[t].is_const:
                raise ModelError(f"{graph.name}: graph input/output {graph.tensors[t].name!r} is "
                                 "a constant; tvm-aot needs them in the arena")

    def build(self, graph: Graph, out_dir: Path) -> dict:
        self.check(graph)
        import tvm  # noqa: F401 - deferred: importing TVM takes seconds

        from .tvm import emit_model, pipeline

        opts = pipeline.Options(layout=self["layout"], opt_level=self["opt_level"],
                                schedule=self["schedule"],
                                allow_float_fallback=self["allow_float_fallback"])
        mod = pipeline.import_tflite(graph)
        quantized = any(t.quant is not None and t.dtype in ("int8", "uint8", "int16")
                        for t in graph.tensors if not t.is_const)
        int8_ops, float_ops = {}, {}
        if quantized:
            mod, report = pipeline.to_int8(mod, graph, opts.allow_float_fallback)
            int8_ops, float_ops = report.rewritten, report.float_ops
        mod = pipeline.optimize(mod, opts)
        notes = [f"layout {opts.layout}, opt_level {opts.opt_level}, schedule {opts.schedule}"]
        if float_ops:
            notes.append("FLOAT FALLBACK (not bit-exact): " + ", ".join(
                f"{k} x{n}" for k, n in sorted(float_ops.items())))
        model = emit_model.Emitter(mod, graph.name, notes).emit(tvm.target.Target(pipeline.TARGET))
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in model.files.items():
            (out_dir / name).write_text(text)
        return {
            "arena": model.arena,
            "workspace": model.workspace,
            "planned_storage": model.planned,
            "io_bytes": model.io,
            "kernels": model.kernels,
            "kernel_calls": model.calls,
            "weight_bytes": model.weight_bytes,
            "int8_ops": int8_ops,
            "float_ops": float_ops,
            "float_fallback": bool(float_ops),
            "layout": opts.layout,
            "schedule": opts.schedule,
            "opt_level": opts.opt_level,
            "tvm": tvm.__version__,
        }
