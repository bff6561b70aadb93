"""Ahead-of-time backend: the IR becomes plain C99 with everything decided at build time.

Output (in the build folder):
- ``model_weights.c`` / ``model_weights.h``: every constant tensor an operator reads, as an aligned
  ``const`` array (flash on a device).
- ``model.c``: per operator its prepared ``mb_*_params`` struct, requantization table and shapes as
  ``static const`` data; one static arena at offsets from ir/planner.py; ``mb_model_invoke`` a flat
  list of kernel calls; the mb_model.h accessors. ``mb_model_setup`` has nothing to do.
- int16 operators with int8 weights (TFLite's 16x8 quantization: CONV_2D, DEPTHWISE_CONV_2D,
  FULLY_CONNECTED, SOFTMAX) run the reference kernels ``runtime/kernels/<op>_s16.c``
  (mb_kernels_s16.h) with parameters from ir/quant.py's ``PREPARE_S16``, with either ``kernels``
  setting (the optimized kernels are int8 only).
- float32 operators (all their tensors float32) run the float reference kernels
  ``runtime/kernels/<op>_f32.c`` (mb_kernels_f32.h, TFLite's float reference semantics) with either
  ``kernels`` setting; a model may mix float32 and int8 operators, an operator may not.
- the kernels the model uses, copied from runtime/kernels: with ``kernels=opt`` (the default) the
  optimized ones of runtime/kernels/opt/ with parameters from ir/fold.py (folded bias, packed
  filters, fast exact requantization; their scratch memory planned in the arena), and the reference
  kernel (plus requant.c) for any op they do not cover; ``kernels=ref``: the reference ones only.

With ``profile`` on, every operator runs in a non-inlined function ``mb_op_<i>`` (per-op inclusive
costs for callgrind) and, during the first invoke only (the one the harness measures), between
``mb_hal_region_begin/end(MB_REGION_OP0 + i)`` (per-op counts on the simulators).

The generated code is freestanding (no allocation, no stdio) and warning-free under
``-std=c99 -Wall -Wextra``.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..config import Key
from ..errors import ConfigError, ModelError
from ..ir import fold, quant
from ..ir.graph import Graph, Op, Tensor
from ..ir.planner import STRATEGIES, Plan, plan_graph
from ..ops import SPECS
from .base import Backend

# op kind -> kernel source (runtime/kernels/) and function
KERNELS = {
    "CONV_2D": ("conv2d.c", "mb_conv2d_s8"),
    "DEPTHWISE_CONV_2D": ("depthwise_conv2d.c", "mb_depthwise_conv2d_s8"),
    "FULLY_CONNECTED": ("fully_connected.c", "mb_fully_connected_s8"),
    "AVERAGE_POOL_2D": ("avg_pool.c", "mb_avg_pool_s8"),
    "MAX_POOL_2D": ("max_pool.c", "mb_max_pool_s8"),
    "ADD": ("add.c", "mb_add_s8"),
    "SOFTMAX": ("softmax.c", "mb_softmax_s8"),
    "RESHAPE": ("copy.c", "mb_copy_s8"),  # only when the planner could not alias the buffers
}
# op kind -> float32 reference kernel source (runtime/kernels/, mb_kernels_f32.h) and function
F32_KERNELS = {
    "CONV_2D": ("conv2d_f32.c", "mb_conv2d_f32"),
    "DEPTHWISE_CONV_2D": ("depthwise_conv2d_f32.c", "mb_depthwise_conv2d_f32"),
    "FULLY_CONNECTED": ("fully_connected_f32.c", "mb_fully_connected_f32"),
    "AVERAGE_POOL_2D": ("avg_pool_f32.c", "mb_avg_pool_f32"),
    "MAX_POOL_2D": ("max_pool_f32.c", "mb_max_pool_f32"),
    "ADD": ("add_f32.c", "mb_add_f32"),
    "SOFTMAX": ("softmax_f32.c", "mb_softmax_f32"),
}
F32_HEADER = "mb_kernels_f32.h"
# op kind -> int16-activation, int8-weight reference kernel source (mb_kernels_s16.h) and function
S16_KERNELS = {
    "CONV_2D": ("conv2d_s16.c", "mb_conv2d_s16"),
    "DEPTHWISE_CONV_2D": ("depthwise_conv2d_s16.c", "mb_depthwise_conv2d_s16"),
    "FULLY_CONNECTED": ("fully_connected_s16.c", "mb_fully_connected_s16"),
    "SOFTMAX": ("softmax_s16.c", "mb_softmax_s16"),
}
S16_HEADER = "mb_kernels_s16.h"
FLT_MAX = "3.40282347e+38f"  # <float.h>'s FLT_MAX: TFLite's bound for "no activation"
# fused activation -> float clamp (TFLite CalculateActivationRange<float>)
F32_ACTIVATIONS = {"NONE": (-np.inf, np.inf), "RELU": (0.0, np.inf), "RELU6": (0.0, 6.0),
                   "RELU_N1_TO_1": (-1.0, 1.0)}
# op kind -> optimized kernel sources (runtime/kernels/opt/) and function
OPT_KERNELS = {
    "CONV_2D": (("conv2d_opt.c", "gemm.c"), "mb_conv2d_s8_opt"),
    "DEPTHWISE_CONV_2D": (("depthwise_conv2d_opt.c",), "mb_depthwise_conv2d_s8_opt"),
    "FULLY_CONNECTED": (("fully_connected_opt.c", "gemm.c"), "mb_fully_connected_s8_opt"),
    "ADD": (("add_opt.c", "requant.c"), "mb_add_s8_opt"),
    "AVERAGE_POOL_2D": (("avg_pool_opt.c",), "mb_avg_pool_s8_opt"),
}
OPT_HEADER = "mb_kernels_opt.h"
SPEC_TEMPLATE = "conv1x1_tpl.h"  # instantiated per input depth K as conv1x1_k<K>.c


def spec_function(k: int, relu: int, im2col: bool = False) -> str:
    """A kernel specialized for depth k and output case relu (conv1x1_tpl.h)."""
    return f"mb_conv{'' if im2col else '1x1'}_s8_k{k}{'_relu' if relu else ''}"


ALL_SOURCES = {"requant.c", OPT_HEADER, SPEC_TEMPLATE} | {src for src, _ in KERNELS.values()} | \
    {src for srcs, _ in OPT_KERNELS.values() for src in srcs} | \
    {src for src, _ in F32_KERNELS.values()} | {src for src, _ in S16_KERNELS.values()} | \
    {src for spec in SPECS.values() for src in spec.kernels}
C_TYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t",
           "int64": "int64_t", "float32": "float"}
WEIGHT_ALIGN = 16
ROW = 24  # values per line in array initializers


def _int(v) -> str:
    """A C integer literal that is valid for every int32 (INT32_MIN has no literal of its own)."""
    v = int(v)
    return "(-2147483647 - 1)" if v == -(1 << 31) else str(v)


def _float(v) -> str:
    """A C float literal that reads back as exactly this float32 (numpy's shortest round-trip
    digits); +-inf becomes +-FLT_MAX, as TFLite bounds an open activation range."""
    x = np.float32(v)
    if np.isinf(x):
        return ("-" if x < 0 else "") + FLT_MAX
    text = str(x)
    return text + ("f" if "." in text or "e" in text else ".0f")


def _comment(text: str) -> str:
    return re.sub(r"[^ -~]|\*/", "?", text)


def _short(name: str) -> str:
    """A tensor name for a comment: TFLite joins fused names with ';', the first one is enough."""
    first = name.split(";")[0]
    return _comment(first if len(first) <= 60 else "..." + first[-57:])


def _dims(shape) -> str:
    return "{" + ", ".join(str(d) for d in quant.nhwc(shape)) + "}"


def _array_body(values: np.ndarray) -> str:
    values = np.asarray(values)
    fmt = _float if values.dtype.kind == "f" else (lambda x: str(int(x)))
    flat = [fmt(x) for x in values.ravel()]
    if not flat:
        return "0"
    rows = [", ".join(flat[i:i + ROW]) for i in range(0, len(flat), ROW)]
    return "\n  " + ",\n  ".join(rows) + "\n"


class Aot(Backend):
    name = "aot"
    description = "ahead-of-time C: static arena, prepared params, a flat list of kernel calls"
    supported_ops = frozenset(KERNELS) | frozenset(SPECS)
    keys = (
        Key("arena_align", int, 16,
            "alignment in bytes of every tensor in the arena (a power of two)"),
        Key("reshape_in_place", bool, True, "RESHAPE output shares its input's arena bytes "
                                            "(off: plan both and copy)"),
        Key("kernels", str, "opt", "opt: the optimized kernels (runtime/kernels/opt/) where they "
                                   "apply; ref: the reference kernels only", ("ref", "opt")),
        Key("planner", str, "best", "arena placement: greedy (TFLite Micro's, by size) or best "
                                    "(smallest of several greedy orders)", STRATEGIES),
        Key("specialize", bool, True, "with kernels=opt: dense 1x1 convolutions run a kernel "
                                      "compiled for their input depth (4x4 register blocks)"),
        Key("overlap", bool, True, "with kernels=opt: an operator's output may overlap the input "
                                   "it consumes, as far as the kernel's access order allows"),
        Key("profile", bool, False, "per-operator instruction counts: each op in its own function "
                                    "and HAL region (set by the profile feature)"),
    )

    def __init__(self, config=None):
        super().__init__(config)
        align = self["arena_align"]
        if align < 1 or align & (align - 1):
            raise ConfigError(f"aot.arena_align={align}: must be a power of two (1, 2, 4, ... 16)")

    # --- checks (LOAD) ---------------------------------------------------------------------------
    def check(self, graph: Graph) -> None:
        super().check(graph)
        for i, op in enumerate(graph.ops):
            self._check_op(graph, i, op)
        for t in graph.inputs + graph.outputs:
            if graph.tensors[t].is_const:
                raise ModelError(f"{graph.name}: graph input/output {graph.tensors[t].name!r} is a "
                                 "constant; the aot backend needs them in the arena")

    @staticmethod
    def _check_op(graph: Graph, i: int, op: Op) -> None:
        where = f"{graph.name}: operator {i} ({op.kind})"
        if op.kind in SPECS:  # mcubench/ops/: the operator checks itself
            try:
                SPECS[op.kind].check(graph, op)
            except ValueError as exc:
                raise ModelError(f"{where}: {exc}") from None
            return

        def need(ok: bool, msg: str) -> None:
            if not ok:
                raise ModelError(f"{where}: {msg}")

        def tensor(k: int, role: str) -> Tensor:
            need(k >= 0, f"{role} is missing")
            return graph.tensors[k]

        def int8_act(k: int, role: str) -> Tensor:
            t = tensor(k, role)
            need(t.dtype == "int8" and t.quant is not None,
                 f"{role} {t.name!r} is {t.dtype}{'' if t.quant else ' (unquantized)'}; the aot "
                 "backend supports quantized int8 activations, or float32 ones with all of the "
                 "operator's tensors float32")
            need(not t.is_const, f"{role} {t.name!r} is a constant; expected an activation")
            need(len(t.shape) <= 4, f"{role} {t.name!r} has rank {len(t.shape)} > 4")
            return t

        need(len(op.outputs) == 1, f"has {len(op.outputs)} outputs, expected 1")
        if graph.tensors[op.outputs[0]].dtype == "float32" and op.kind in F32_KERNELS:
            Aot._check_f32_op(graph, op, need, tensor)
            return
        if graph.tensors[op.outputs[0]].dtype == "int16" and op.kind in S16_KERNELS:
            Aot._check_s16_op(graph, op, need, tensor)
            return
        if op.kind == "RESHAPE" and op.inputs and op.inputs[0] >= 0:
            x, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
            if x.dtype == out.dtype and x.dtype in ("float32", "int16"):  # moves bytes only
                need(x.size == out.size, f"{x.shape} -> {out.shape} changes the element count")
                return
        out = int8_act(op.outputs[0], "output")
        x = int8_act(op.inputs[0] if op.inputs else -1, "input")
        if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            need(len(op.inputs) >= 2, "has no filter")
            w = tensor(op.inputs[1], "filter")
            need(w.is_const and w.dtype == "int8" and w.quant is not None,
                 f"filter {w.name!r} must be constant quantized int8 (is {w.dtype}"
                 f"{', not constant' if not w.is_const else ''})")
            need(not np.any(w.quant.zero_point), f"filter {w.name!r} must be symmetric "
                                                 "(zero point 0)")
            b = graph.tensor(op.inputs[2]) if len(op.inputs) > 2 else None
            if b is not None:
                need(b.is_const and b.dtype == "int32",
                     f"bias {b.name!r} must be a constant int32 tensor (is {b.dtype}"
                     f"{', not constant' if not b.is_const else ''})")
            if op.kind == "FULLY_CONNECTED":
                need(len(w.shape) == 2, f"filter shape {w.shape} is not 2-D")
                need(op.options.get("weights_format", 0) in (0, "DEFAULT"),
                     "shuffled weights formats are not supported")
                need(x.size % w.shape[1] == 0,
                     f"input {x.shape} is not a multiple of the filter's {w.shape[1]} features")
                need(out.size == x.size // w.shape[1] * w.shape[0],
                     f"output {out.shape} does not match input {x.shape} x filter {w.shape}")
                n_out = w.shape[0]
            else:
                need(len(x.shape) == 4 and len(w.shape) == 4 and len(out.shape) == 4,
                     f"needs 4-D NHWC tensors (input {x.shape}, filter {w.shape}, output "
                     f"{out.shape})")
                n_out = out.shape[3]
                if op.kind == "CONV_2D":
                    need(w.shape[0] == n_out and w.shape[3] > 0 and x.shape[3] % w.shape[3] == 0,
                         f"filter {w.shape} does not fit input {x.shape} / output {out.shape}")
                else:
                    m = int(op.options.get("depth_multiplier", 1)) or 1
                    need(w.shape[0] == 1 and w.shape[3] == n_out and n_out == x.shape[3] * m,
                         f"filter {w.shape} does not fit input {x.shape}, output {out.shape} and "
                         f"depth multiplier {m}")
            if b is not None:
                need(b.size == n_out, f"bias has {b.size} values for {n_out} outputs")
        elif op.kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            need(len(x.shape) == 4 and len(out.shape) == 4,
                 f"needs 4-D NHWC tensors (input {x.shape}, output {out.shape})")
            need(x.shape[3] == out.shape[3], "pooling cannot change the channel count")
            need(_same_quant(x, out), "input and output quantization differ; int8 pooling "
                                      "does not requantize")
        elif op.kind == "ADD":
            need(len(op.inputs) == 2, "needs two inputs")
            y = int8_act(op.inputs[1], "second input")
            need(tuple(x.shape) == tuple(y.shape) == tuple(out.shape),
                 f"shapes {x.shape} + {y.shape} -> {out.shape}: broadcasting is not supported")
        elif op.kind == "SOFTMAX":
            need(tuple(x.shape) == tuple(out.shape), f"shapes {x.shape} -> {out.shape} differ")
        elif op.kind == "RESHAPE":
            need(x.size == out.size, f"{x.shape} -> {out.shape} changes the element count")
        if op.kind in quant.PREPARE:  # the offline preparation has checks of its own
            try:
                quant.PREPARE[op.kind](graph, op)
            except ValueError as exc:
                raise ModelError(f"{where}: {exc}") from None

    @staticmethod
    def _check_f32_op(graph: Graph, op: Op, need, tensor) -> None:
        """A float32 operator: float32 activations, constant float32 filter and bias, the shapes
        the mb_*_f32 kernels take (those of the int8 ones)."""
        def f32(k: int, role: str, const: bool = False) -> Tensor:
            t = tensor(k, role)
            need(t.dtype == "float32" and t.quant is None,
                 f"{role} {t.name!r} is {t.dtype}{' (quantized)' if t.quant else ''} in a float32 "
                 "operator; the aot backend needs all of an operator's tensors float32 or all "
                 "int8 (add QuantizeLinear/DequantizeLinear or quantize the whole model)")
            need(t.is_const == const, f"{role} {t.name!r} is "
                 f"{'not ' if const else ''}a constant")
            need(len(t.shape) <= 4, f"{role} {t.name!r} has rank {len(t.shape)} > 4")
            if const:
                need(bool(np.all(np.isfinite(t.data))), f"{role} {t.name!r} holds inf or NaN")
            return t

        out = f32(op.outputs[0], "output")
        x = f32(op.inputs[0] if op.inputs else -1, "input")
        act = op.options.get("fused_activation_function", "NONE") or "NONE"
        need(act in F32_ACTIVATIONS, f"fused activation {act!r}; supported: "
                                     f"{', '.join(F32_ACTIVATIONS)}")
        if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            need(len(op.inputs) >= 2, "has no filter")
            w = f32(op.inputs[1], "filter", const=True)
            n_out = w.shape[0] if op.kind != "DEPTHWISE_CONV_2D" else w.shape[-1]
            if len(op.inputs) > 2 and op.inputs[2] >= 0:
                b = f32(op.inputs[2], "bias", const=True)
                need(b.size == n_out, f"bias has {b.size} values for {n_out} outputs")
            if op.kind == "FULLY_CONNECTED":
                need(len(w.shape) == 2 and x.size % w.shape[1] == 0 and
                     out.size == x.size // w.shape[1] * w.shape[0],
                     f"input {x.shape} x filter {w.shape} -> output {out.shape} do not fit")
                need(op.options.get("weights_format", 0) in (0, "DEFAULT"),
                     "shuffled weights formats are not supported")
            else:
                need(len(x.shape) == len(w.shape) == len(out.shape) == 4,
                     f"needs 4-D NHWC tensors (input {x.shape}, filter {w.shape}, output "
                     f"{out.shape})")
                if op.kind == "CONV_2D":
                    need(w.shape[0] == out.shape[3] and w.shape[3] > 0 and
                         x.shape[3] % w.shape[3] == 0 and out.shape[3] % (x.shape[3] // w.shape[3])
                         == 0, f"filter {w.shape} does not fit input {x.shape} / output "
                         f"{out.shape}")
                else:
                    m = int(op.options.get("depth_multiplier", 1)) or 1
                    need(w.shape[0] == 1 and w.shape[3] == out.shape[3] == x.shape[3] * m,
                         f"filter {w.shape} does not fit input {x.shape}, output {out.shape} and "
                         f"depth multiplier {m}")
        elif op.kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            need(len(x.shape) == 4 and len(out.shape) == 4 and x.shape[3] == out.shape[3],
                 f"needs 4-D NHWC tensors of equal depth (input {x.shape}, output {out.shape})")
        elif op.kind == "ADD":
            need(len(op.inputs) == 2, "needs two inputs")
            y = f32(op.inputs[1], "second input")
            need(tuple(x.shape) == tuple(y.shape) == tuple(out.shape),
                 f"shapes {x.shape} + {y.shape} -> {out.shape}: broadcasting is not supported")
        elif op.kind == "SOFTMAX":
            need(tuple(x.shape) == tuple(out.shape), f"shapes {x.shape} -> {out.shape} differ")
            beta = float(op.options.get("beta", 1.0))
            need(0.0 <= beta < 3.0e38, f"beta {beta}: the float softmax needs 0 <= beta < 3e38 "
                                       "(its exp takes non-positive arguments)")
        if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D"):
            try:
                _prepare_f32(graph, op)
            except (ValueError, KeyError) as exc:
                need(False, str(exc))

    @staticmethod
    def _check_s16_op(graph: Graph, op: Op, need, tensor) -> None:
        """An int16 operator (TFLite's 16x8 quantization): symmetric int16 activations, a constant
        int8 filter, an int64 or int32 bias as TFLite Micro takes it, the int8 kernels' shapes."""
        def s16(k: int, role: str) -> Tensor:
            t = tensor(k, role)
            need(t.dtype == "int16" and t.quant is not None,
                 f"{role} {t.name!r} is {t.dtype}{'' if t.quant else ' (unquantized)'} in an int16 "
                 "operator; the aot backend needs int16 activations in and out (16x8 quantization)")
            need(not t.is_const, f"{role} {t.name!r} is a constant; expected an activation")
            need(len(t.shape) <= 4, f"{role} {t.name!r} has rank {len(t.shape)} > 4")
            return t

        out = s16(op.outputs[0], "output")
        x = s16(op.inputs[0] if op.inputs else -1, "input")
        if op.kind == "SOFTMAX":
            need(tuple(x.shape) == tuple(out.shape), f"shapes {x.shape} -> {out.shape} differ")
        else:
            need(len(op.inputs) >= 2, "has no filter")
            w = tensor(op.inputs[1], "filter")
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
                     f"needs 4-D NHWC tensors (input {x.shape}, filter {w.shape}, output "
                     f"{out.shape})")
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
            need(b is None or b.size == n_out, f"bias has {b and b.size} values for {n_out} "
                                               "outputs")
        try:
            quant.PREPARE_S16[op.kind](graph, op)
        except ValueError as exc:
            need(False, str(exc))

    # --- build -----------------------------------------------------------------------------------
    def build(self, graph: Graph, out_dir: Path) -> dict:
        self.check(graph)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        opt: dict[int, dict] = {}
        if self["arena_align"] < 4 and any(t.dtype == "float32" for t in graph.tensors):
            raise ConfigError(f"aot.arena_align={self['arena_align']}: float32 tensors need 4 or "
                              "more (a misaligned float load faults on Cortex-M)")
        if self["kernels"] == "opt":
            for i, op in enumerate(graph.ops):
                if _is_f32(graph, op) or _is_s16(graph, op):  # int8 only: the reference kernels
                    continue
                prepare = fold.PREPARE_OPT.get(op.kind)
                if op.kind == "CONV_2D":
                    prepared = prepare(graph, op, specialize=self["specialize"])
                elif op.kind == "FULLY_CONNECTED":
                    prepared = prepare(graph, op, fold.FC_SMALL_MACS)
                else:
                    prepared = prepare(graph, op) if prepare else None
                if prepared is not None:
                    opt[i] = prepared
        plan = plan_graph(graph, self["arena_align"], alias_reshapes=self["reshape_in_place"],
                          scratch={i: p["scratch"] for i, p in opt.items() if p["scratch"]},
                          strategy=self["planner"],
                          overlaps={i: p["overlap"] for i, p in opt.items() if p["overlap"]}
                          if self["overlap"] else None)
        gen = _Generator(graph, plan, self["arena_align"], opt, self["profile"])
        model_c = gen.model_c()
        (out_dir / "model_weights.h").write_text(gen.weights_h())
        (out_dir / "model_weights.c").write_text(gen.weights_c())
        (out_dir / "model.c").write_text(model_c)
        sources = sorted(gen.kernels | ({"requant.c"} if gen.ref_ops else set()))
        if opt:
            sources.append(OPT_HEADER)
        if gen.spec_k:
            sources.append(SPEC_TEMPLATE)
        for src in ALL_SOURCES - set(sources):  # a reused build folder: no stale, unused kernels
            (out_dir / src).unlink(missing_ok=True)
        instances = {f"conv1x1_k{k}{'_relu' if relu else ''}.c": (k, relu)
                     for k, relu in gen.spec_k}
        for old in out_dir.glob("conv1x1_k*.c"):
            if old.name not in instances:
                old.unlink()
        for name, (k, relu) in sorted(instances.items()):
            im2col = f"#define MB_IM2COL_FN {spec_function(k, relu, True)}\n" \
                if gen.spec_k[(k, relu)] else ""
            (out_dir / name).write_text(
                f"/* Generated by mcubench (aot backend): convolutions specialized for depth {k} "
                f"(conv1x1_tpl.h). */\n#define MB_K {k}\n#define MB_RELU {relu}\n"
                f"#define MB_FN {spec_function(k, relu)}\n{im2col}"
                f'#include "{SPEC_TEMPLATE}"\n')
        opt_files = {src for srcs, _ in OPT_KERNELS.values() for src in srcs
                     if src != "requant.c"} | {OPT_HEADER, SPEC_TEMPLATE}
        self.copy_runtime(out_dir, [f"kernels/opt/{k}" if k in opt_files else f"kernels/{k}"
                                    for k in sources])
        return {
            "arena": plan.size,
            "arena_lower_bound": plan.lower_bound,
            "kernels": [k[:-2] for k in sorted(gen.kernels - {"requant.c"})] +
                       sorted(name[:-2] for name in instances),
            "weight_bytes": gen.weight_bytes,
            "ops": len(graph.ops),
            "reshapes_in_place": len(plan.aliases),
            "arena_align": self["arena_align"],
            "opt_ops": sorted(opt),
            "scratch": sum(p["scratch"] for p in opt.values()),
            "overlaps": len(plan.overlaps),
            "profile": self["profile"],
        }


def _is_f32(graph: Graph, op: Op) -> bool:
    """Runs on a float32 kernel (check() made sure all its tensors are float32)."""
    return op.kind in F32_KERNELS and graph.tensors[op.outputs[0]].dtype == "float32"


def _is_s16(graph: Graph, op: Op) -> bool:
    """Runs on an int16 kernel (check() made sure of its 16x8 quantization)."""
    return op.kind in S16_KERNELS and graph.tensors[op.outputs[0]].dtype == "int16"


def _prepare_f32(graph: Graph, op: Op) -> dict:
    """The mb_*_f32_params fields of a float32 operator (its fused activation as a clamp, window
    geometry as for int8) plus the call's sizes."""
    o = op.options
    x, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    lo, hi = F32_ACTIVATIONS[o.get("fused_activation_function", "NONE") or "NONE"]
    act = {"act_min": _float(lo), "act_max": _float(hi)}
    _, in_h, in_w, _ = quant.nhwc(x.shape)
    _, oh, ow, _ = quant.nhwc(out.shape)
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        _, fh, fw, _ = graph.tensors[op.inputs[1]].shape
        dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
        geo = quant.conv_geometry(o.get("padding", "SAME"), in_h, in_w, fh, fw, sh, sw, dh, dw)
        p = {"stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw}
    elif op.kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        fh, fw = int(o["filter_height"]), int(o["filter_width"])
        geo = quant.pool_geometry(o.get("padding", "SAME"), in_h, in_w, fh, fw, sh, sw)
        p = {"stride_h": sh, "stride_w": sw, "filter_h": fh, "filter_w": fw}
    elif op.kind == "FULLY_CONNECTED":
        out_units, in_features = graph.tensors[op.inputs[1]].shape
        return {**act, "batches": x.size // in_features, "in_features": in_features,
                "out_units": out_units}
    elif op.kind == "SOFTMAX":
        depth = int(x.shape[-1])
        return {"beta": _float(o.get("beta", 1.0)), "rows": x.size // depth, "depth": depth}
    else:  # ADD
        return act
    if (oh, ow) != geo[:2]:
        raise ValueError(f"output {oh}x{ow} does not match the computed {geo[0]}x{geo[1]}")
    p.update(pad_h=geo[2], pad_w=geo[3])
    if op.kind == "DEPTHWISE_CONV_2D":
        p["depth_multiplier"] = int(o.get("depth_multiplier", 1))
    return {**p, **act}


def _same_quant(a: Tensor, b: Tensor) -> bool:
    return (np.float32(a.quant.scale[0]) == np.float32(b.quant.scale[0])
            and int(a.quant.zero_point[0]) == int(b.quant.zero_point[0]))


class _Generator:
    """Writes the C text for one graph and plan; collects the kernels and weights it refers to."""

    def __init__(self, graph: Graph, plan: Plan, align: int, opt: dict[int, dict] | None = None,
                 profile: bool = False):
        self.g, self.plan, self.align = graph, plan, align
        self.opt = opt or {}
        self.profile = profile
        self.kernels: set[str] = set()
        self.headers: set[str] = set()  # kernel headers of mcubench/ops/ operators
        self.ref_ops = 0  # operators on reference kernels that need requant.c
        self.f32_ops = 0  # operators on float32 kernels (mb_kernels_f32.h)
        self.s16_luts: tuple[str, str] | None = None  # the int16 softmax tables, once per model
        # (depth k, relu) of a specialized conv -> with its im2col variant
        self.spec_k: dict[tuple[int, int], bool] = {}
        self.weights: dict[int, str] = {}  # tensor index -> C name
        self.arrays: list[tuple[str, str, np.ndarray, str]] = []  # (name, ctype, values, comment)
        self.weight_bytes = 0
        self.data: list[str] = []  # static const definitions in model.c
        self.calls: list[str] = []  # the body of mb_model_invoke
        self.op_calls: dict[int, list[str]] = {}  # operator -> its statements (profile)

    # tensors ------------------------------------------------------------------------------------
    def act(self, t: int, const: bool) -> str:
        ctype = C_TYPES[self.g.tensors[t].dtype]
        return f"({'const ' if const else ''}{ctype} *)(mb_arena + {self.plan.offsets[t]})"

    def weight(self, t: int) -> str:
        if t < 0:
            return "0"
        if t not in self.weights:
            tensor = self.g.tensors[t]
            self.weights[t] = self.array(f"mb_w{t}", tensor.dtype, tensor.data,
                                         f"{_short(tensor.name)}: {tensor.dtype} "
                                         f"{list(tensor.shape)}")
        return self.weights[t]

    def array(self, name: str, dtype: str, values, comment: str) -> str:
        """A constant array in model_weights.c (flash); counted in weight_bytes."""
        values = np.asarray(values)
        self.arrays.append((name, C_TYPES[dtype], values, comment))
        self.weight_bytes += values.size * np.dtype(dtype).itemsize
        return name

    def weights_h(self) -> str:
        lines = ["/* Generated by mcubench (aot backend): the model's constant tensors. */",
                 "#ifndef MB_MODEL_WEIGHTS_H", "#define MB_MODEL_WEIGHTS_H", "",
                 "#include <stdint.h>", ""]
        for name, ctype, values, _ in self.arrays:
            lines.append(f"extern const {ctype} {name}[{max(values.size, 1)}];")
        return "\n".join(lines + ["", "#endif", ""])

    def weights_c(self) -> str:
        out = ["/* Generated by mcubench (aot backend): the model's constant tensors. */",
               '#include "model_weights.h"', ""]
        for name, ctype, values, comment in self.arrays:
            out.append(f"/* {comment} */")
            out.append(f"const {ctype} {name}[{max(values.size, 1)}] "
                       f"__attribute__((aligned({WEIGHT_ALIGN}))) = {{"
                       f"{_array_body(values)}}};")
            out.append("")
        return "\n".join(out)

    # operators ----------------------------------------------------------------------------------
    def struct(self, ctype: str, name: str, fields: dict) -> None:
        body = ", ".join(f".{k} = {v}" for k, v in fields.items())
        self.data.append(f"static const {ctype} {name} = {{{body}}};")

    def dims(self, name: str, shape) -> str:
        self.data.append(f"static const mb_dims {name} = {_dims(shape)};")
        return "&" + name

    def requant_table(self, name: str, pairs) -> str:
        items = [f"{{{_int(m)}, {_int(s)}}}" for m, s in pairs]
        rows = [", ".join(items[i:i + 4]) for i in range(0, len(items), 4)]
        body = "\n  " + ",\n  ".join(rows) + "\n" if len(items) > 4 else ", ".join(items)
        self.data.append(f"static const mb_requant {name}[{len(pairs)}] = {{{body}}};")
        return name

    def table(self, name: str, ctype: str, values) -> str:
        values = [_int(v) for v in np.asarray(values).ravel().tolist()]
        rows = [", ".join(values[i:i + ROW]) for i in range(0, len(values), ROW)]
        body = "\n  " + ",\n  ".join(rows) + "\n" if len(values) > ROW else ", ".join(values)
        self.data.append(f"static const {ctype} {name}[{max(len(values), 1)}] = {{{body or '0'}}};")
        return name

    def emit_opt(self, i: int, op: Op, o: dict) -> None:
        """The call of an optimized kernel with its fold.py preparation."""
        g, p = self.g, f"op{i}"
        x, y = op.inputs[0], op.outputs[0]
        srcs, fn = OPT_KERNELS[op.kind]
        if op.kind == "AVERAGE_POOL_2D":
            self.kernels.update(srcs)
            self.struct("mb_pool_params", f"{p}_params",
                        {k: _int(v) for k, v in o["pool"].items()})
            self.calls.append(
                f"  {fn}(&{p}_params, {self.dims(p + '_in', g.tensors[x].shape)}, "
                f"{self.act(x, True)}, {self.dims(p + '_out', g.tensors[y].shape)}, "
                f"{self.act(y, False)});")
            return
        if op.kind == "ADD":
            self.kernels.update(srcs)
            fields = [f".{k} = {_int(o[k])}" for k in ("input1_offset", "input2_offset",
                                                        "left_shift")]
            fields += [f".{k} = {{{_int(o[k][0])}, {_int(o[k][1])}}}" for k in ("input1",
                                                                                 "input2")]
            fields += [f".{k} = {_int(o[k])}" for k in ("output_mult", "output_shift", "relu",
                                                        "output_offset", "act_min", "act_max")]
            fields.append(f".scratch = (int32_t *)(void *)(mb_arena + {self.plan.scratch[i]})"
                          if o["scratch"] else ".scratch = 0")
            self.data.append(f"static const mb_add_opt_params {p}_params = "
                             f"{{{', '.join(fields)}}};")
            self.calls.append(f"  {fn}(&{p}_params, {o['size']}, {self.act(x, True)}, "
                              f"{self.act(op.inputs[1], True)}, {self.act(y, False)});")
            return
        if "k" in o:  # on the kernel specialized for its depth k (dense 1x1, or all-im2col conv)
            key = (o["k"], o["rq"]["relu"])
            fn = spec_function(*key, o.get("im2col", False))
            self.spec_k[key] = self.spec_k.get(key, False) or o.get("im2col", False)
            if o.get("im2col"):
                self.kernels.update(srcs)  # mb_im2col_s8 lives in conv2d_opt.c
        else:
            self.kernels.update(srcs)  # the linker drops what no call needs (--gc-sections)
        if o.get("small"):  # a small fully connected layer: its plain loop, GEMM not linked
            fn = "mb_fully_connected_s8_small"
        rq = o["rq"]
        bias = self.array(f"mb_op{i}_bias", "int32", rq["bias"],
                          f"operator {i}: bias + input offset x sum of the channel's filter taps")
        filt = self.array(f"mb_op{i}_filter", "int8", o["filter"],
                          f"operator {i}: {_short(g.tensors[op.inputs[1]].name)}, reordered for "
                          f"{fn}")
        mult = self.table(f"{p}_mult", "int32_t", rq["mult"])
        shift = self.table(f"{p}_shift", "int8_t", rq["shift"])
        rq_init = (f"{{.bias = {bias}, .mult = {mult}, .shift = {shift}, "
                   f".per_channel = {rq['per_channel']}, .relu = {rq['relu']}, "
                   f".output_offset = {_int(rq['output_offset'])}, "
                   f".act_min = {_int(rq['act_min'])}, .act_max = {_int(rq['act_max'])}}}")
        scratch = f"(int8_t *)(mb_arena + {self.plan.scratch[i]})" if o["scratch"] else "0"
        if "k" in o and not o.get("im2col"):
            self.data.append(f"static const mb_requant_opt {p}_rq = {rq_init};")
            self.calls.append(f"  {fn}(&{p}_rq, {o['pixels']}, {o['out_c']}, {self.act(x, True)}, "
                              f"{filt}, {self.act(y, False)});")
            return
        if op.kind == "FULLY_CONNECTED":
            self.data.append(f"static const mb_requant_opt {p}_rq = {rq_init};")
            self.calls.append(
                f"  {fn}(&{p}_rq, {o['batches']}, {o['in_features']}, {self.act(x, True)}, "
                f"{o['out_units']}, {filt}, {self.act(y, False)});")
            return
        fields = ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h", "pad_w") \
            if op.kind == "CONV_2D" else ("stride_h", "stride_w", "pad_h", "pad_w")
        ctype = "mb_conv2d_opt_params" if op.kind == "CONV_2D" else \
            "mb_depthwise_conv2d_opt_params"
        init = ", ".join([f".{f} = {_int(o[f])}" for f in fields] +
                         [f".pad_value = {_int(o['pad_value'])}", f".scratch = {scratch}",
                          f".rq = {rq_init}"])
        self.data.append(f"static const {ctype} {p}_params = {{{init}}};")
        if op.kind == "CONV_2D":
            self.calls.append(
                f"  {fn}(&{p}_params, {self.dims(p + '_in', g.tensors[x].shape)}, "
                f"{self.act(x, True)}, "
                f"{self.dims(p + '_filter', g.tensors[op.inputs[1]].shape)}, {filt}, "
                f"{self.dims(p + '_out', g.tensors[y].shape)}, {self.act(y, False)});")
        else:  # on the row function of its case: only the cases the model has are linked
            case = {1: "_s1", 2: "_s2"}.get(o["stride_w"])
            rows = f"mb_dw_rows{case}{'_relu' if rq['relu'] else ''}" if case else \
                "mb_dw_rows_any"
            self.calls.append(
                f"  {fn}_rows(&{p}_params, {self.dims(p + '_in', g.tensors[x].shape)}, "
                f"{self.act(x, True)}, {filt}, {self.dims(p + '_out', g.tensors[y].shape)}, "
                f"{self.act(y, False)}, {rows});")

    def emit_f32(self, i: int, op: Op) -> None:
        """The call of a float32 reference kernel (mb_kernels_f32.h)."""
        g, p = self.g, f"op{i}"
        x, y = op.inputs[0], op.outputs[0]
        src, fn = F32_KERNELS[op.kind]
        self.kernels.add(src)
        self.f32_ops += 1
        prep = _prepare_f32(g, op)
        sizes = {k: prep.pop(k) for k in ("batches", "in_features", "out_units", "rows", "depth")
                 if k in prep}
        ctype = {"CONV_2D": "mb_conv2d_f32_params",
                 "DEPTHWISE_CONV_2D": "mb_depthwise_conv2d_f32_params",
                 "FULLY_CONNECTED": "mb_fully_connected_f32_params",
                 "AVERAGE_POOL_2D": "mb_pool_f32_params", "MAX_POOL_2D": "mb_pool_f32_params",
                 "ADD": "mb_add_f32_params", "SOFTMAX": "mb_softmax_f32_params"}[op.kind]
        self.struct(ctype, f"{p}_params", {k: v if isinstance(v, str) else _int(v)
                                           for k, v in prep.items()})
        ins, outs = self.act(x, True), self.act(y, False)
        if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            bias = self.weight(op.inputs[2]) if len(op.inputs) > 2 else "0"
            self.calls.append(
                f"  {fn}(&{p}_params, {self.dims(p + '_in', g.tensors[x].shape)}, {ins}, "
                f"{self.dims(p + '_filter', g.tensors[op.inputs[1]].shape)}, "
                f"{self.weight(op.inputs[1])}, {bias}, "
                f"{self.dims(p + '_out', g.tensors[y].shape)}, {outs});")
        elif op.kind == "FULLY_CONNECTED":
            bias = self.weight(op.inputs[2]) if len(op.inputs) > 2 else "0"
            self.calls.append(
                f"  {fn}(&{p}_params, {sizes['batches']}, {sizes['in_features']}, {ins}, "
                f"{sizes['out_units']}, {self.weight(op.inputs[1])}, {bias}, {outs});")
        elif op.kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            self.calls.append(
                f"  {fn}(&{p}_params, {self.dims(p + '_in', g.tensors[x].shape)}, {ins}, "
                f"{self.dims(p + '_out', g.tensors[y].shape)}, {outs});")
        elif op.kind == "ADD":
            self.calls.append(f"  {fn}(&{p}_params, {g.tensors[y].size}, {ins}, "
                              f"{self.act(op.inputs[1], True)}, {outs});")
        else:  # SOFTMAX
            self.calls.append(f"  {fn}(&{p}_params, {sizes['rows']}, {sizes['depth']}, {ins}, "
                              f"{outs});")

    def emit_s16(self, i: int, op: Op) -> None:
        """The call of an int16-activation reference kernel (mb_kernels_s16.h)."""
        g, p = self.g, f"op{i}"
        x, y = op.inputs[0], op.outputs[0]
        src, fn = S16_KERNELS[op.kind]
        self.kernels.update((src, "requant.c"))
        self.headers.add(S16_HEADER)
        prep = quant.PREPARE_S16[op.kind](g, op)
        ins, outs = self.act(x, True), self.act(y, False)
        if op.kind == "SOFTMAX":
            if self.s16_luts is None:
                exp_lut, recip_lut = quant.softmax_s16_luts()
                self.s16_luts = (self.table("mb_softmax_s16_exp_lut", "int16_t", exp_lut),
                                 self.table("mb_softmax_s16_recip_lut", "int16_t", recip_lut))
            rows, depth = prep.pop("rows"), prep.pop("depth")
            self.struct("mb_softmax_s16_params", f"{p}_params",
                        {**{k: _int(v) for k, v in prep.items()},
                         "exp_lut": self.s16_luts[0], "one_over_one_plus_x_lut": self.s16_luts[1]})
            self.calls.append(f"  {fn}(&{p}_params, {rows}, {depth}, {ins}, {outs});")
            return
        rq = self.requant_table(f"{p}_requant", prep.pop("requant"))
        bias = self.weight(op.inputs[2]) if len(op.inputs) > 2 else "0"
        filt = self.weight(op.inputs[1])
        if op.kind == "FULLY_CONNECTED":
            sizes = [prep.pop(k) for k in ("batches", "in_features", "out_units")]
            self.struct("mb_fully_connected_s16_params", f"{p}_params",
                        {**{k: _int(v) for k, v in prep.items()}, "requant": rq})
            self.calls.append(f"  {fn}(&{p}_params, {sizes[0]}, {sizes[1]}, {ins}, {sizes[2]}, "
                              f"{filt}, {bias}, {outs});")
            return
        ctype = "mb_conv2d_s16_params" if op.kind == "CONV_2D" else \
            "mb_depthwise_conv2d_s16_params"
        self.struct(ctype, f"{p}_params", {**{k: _int(v) for k, v in prep.items()}, "requant": rq})
        self.calls.append(
            f"  {fn}(&{p}_params, {self.dims(p + '_in', g.tensors[x].shape)}, {ins}, "
            f"{self.dims(p + '_filter', g.tensors[op.inputs[1]].shape)}, {filt}, {bias}, "
            f"{self.dims(p + '_out', g.tensors[y].shape)}, {outs});")

    def emit(self, i: int, op: Op) -> None:
        start = len(self.calls)
        self._emit(i, op)
        self.op_calls[i] = self.calls[start:]

    def _emit(self, i: int, op: Op) -> None:
        g = self.g
        ins = ", ".join(_short(g.tensors[t].name) for t in op.inputs[:1] if t >= 0)
        outs = ", ".join(_short(g.tensors[t].name) for t in op.outputs)
        self.calls.append(f"  /* {i}: {op.kind} {ins} -> {outs} */")
        p = f"op{i}"
        x, y = op.inputs[0], op.outputs[0]
        if op.kind in SPECS:
            spec = SPECS[op.kind]
            if spec.alias and self.plan.offsets.get(x) == self.plan.offsets.get(y):
                self.calls.append("  /* in place: the output shares the input's arena bytes */")
                return
            self.headers.add(spec.header)
            spec.emit(self, i, op)
            return
        if op.kind == "RESHAPE":
            if self.plan.offsets[x] == self.plan.offsets[y]:
                self.calls.append("  /* in place: the output shares the input's arena bytes */")
                return
            self.kernels.add(KERNELS["RESHAPE"][0])
            self.calls.append(f"  mb_copy_s8({g.tensors[x].nbytes}, "
                              f"(const int8_t *)(mb_arena + {self.plan.offsets[x]}), "
                              f"(int8_t *)(mb_arena + {self.plan.offsets[y]}));")
            return
        if _is_f32(g, op):
            self.emit_f32(i, op)
            return
        if _is_s16(g, op):
            self.emit_s16(i, op)
            return
        if i in self.opt:
            self.emit_opt(i, op, self.opt[i])
            return
        self.ref_ops += 1
        self.kernels.add(KERNELS[op.kind][0])
        fn = KERNELS[op.kind][1]
        prep = quant.PREPARE[op.kind](g, op)
        if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            rq = self.requant_table(f"{p}_requant", prep.pop("requant"))
            ctype = "mb_conv2d_params" if op.kind == "CONV_2D" else "mb_depthwise_conv2d_params"
            self.struct(ctype, f"{p}_params", {**{k: _int(v) for k, v in prep.items()},
                                               "requant": rq})
            bias = self.weight(op.inputs[2]) if len(op.inputs) > 2 else "0"
            self.calls.append(
                f"  {fn}(&{p}_params, {self.dims(p + '_in', g.tensors[x].shape)}, "
                f"{self.act(x, True)}, {self.dims(p + '_filter', g.tensors[op.inputs[1]].shape)}, "
                f"{self.weight(op.inputs[1])}, {bias}, "
                f"{self.dims(p + '_out', g.tensors[y].shape)}, {self.act(y, False)});")
        elif op.kind == "FULLY_CONNECTED":
            rq = self.requant_table(f"{p}_requant", prep.pop("requant"))
            sizes = [prep.pop(k) for k in ("batches", "in_features", "out_units")]
            self.struct("mb_fully_connected_params", f"{p}_params",
                        {**{k: _int(v) for k, v in prep.items()}, "requant": rq})
            bias = self.weight(op.inputs[2]) if len(op.inputs) > 2 else "0"
            self.calls.append(
                f"  {fn}(&{p}_params, {sizes[0]}, {sizes[1]}, {self.act(x, True)}, {sizes[2]}, "
                f"{self.weight(op.inputs[1])}, {bias}, {self.act(y, False)});")
        elif op.kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            self.struct("mb_pool_params", f"{p}_params", {k: _int(v) for k, v in prep.items()})
            self.calls.append(
                f"  {fn}(&{p}_params, {self.dims(p + '_in', g.tensors[x].shape)}, "
                f"{self.act(x, True)}, {self.dims(p + '_out', g.tensors[y].shape)}, "
                f"{self.act(y, False)});")
        elif op.kind == "ADD":
            fields = {k: (f"{{{_int(v[0])}, {_int(v[1])}}}" if isinstance(v, tuple) else _int(v))
                      for k, v in prep.items()}
            self.struct("mb_add_params", f"{p}_params", fields)
            self.calls.append(
                f"  {fn}(&{p}_params, {g.tensors[y].size}, {self.act(x, True)}, "
                f"{self.act(op.inputs[1], True)}, {self.act(y, False)});")
        elif op.kind == "SOFTMAX":
            rows, depth = prep.pop("rows"), prep.pop("depth")
            self.struct("mb_softmax_params", f"{p}_params", {k: _int(v) for k, v in prep.items()})
            self.calls.append(f"  {fn}(&{p}_params, {rows}, {depth}, {self.act(x, True)}, "
                              f"{self.act(y, False)});")

    def profiled_ops(self) -> list[str]:
        """With profile: one non-inlined function per operator (callgrind sees per-op costs)."""
        if not self.profile:
            return []
        out = []
        for i, stmts in self.op_calls.items():
            out += [f"MB_NOINLINE void mb_op_{i}(void);", f"MB_NOINLINE void mb_op_{i}(void) {{",
                    *stmts, "}", ""]
        return out

    def invoke(self) -> list[str]:
        if not self.profile:
            return ["int mb_model_invoke(void) {", *self.calls, "  return 0;", "}"]
        out = ["/* Per-operator HAL regions during the first invoke only: the one the harness",
               " * measures (later ones validate other samples). */",
               "static int mb_profiling = 1;", "",
               "int mb_model_invoke(void) {",
               "  const int profiling = mb_profiling;",
               "  mb_profiling = 0;"]
        for i in self.op_calls:
            out += [f"  if (profiling) mb_hal_region_begin(MB_REGION_OP0 + {i});",
                    f"  mb_op_{i}();",
                    f"  if (profiling) mb_hal_region_end(MB_REGION_OP0 + {i});"]
        return out + ["  return 0;", "}"]

    def model_c(self) -> str:
        g, plan = self.g, self.plan
        for i, op in enumerate(g.ops):
            self.emit(i, op)
        arena = max(plan.size, self.align)

        def table(name: str, ctype: str, values: list[int]) -> str:
            return f"static const {ctype} {name}[{max(len(values), 1)}] = " \
                   f"{{{', '.join(map(str, values)) or '0'}}};"

        includes = ['#include "mb_kernels.h"']
        if self.opt:
            includes.append(f'#include "{OPT_HEADER}"')
        if self.f32_ops:
            includes.append(f'#include "{F32_HEADER}"')
        includes += [f'#include "{h}"' for h in sorted(self.headers)]
        protos = [f"void {spec_function(*key)}(const mb_requant_opt *rq, int32_t pixels, "
                  "int32_t out_c, const int8_t *in, const int8_t *filter, int8_t *out);"
                  for key in sorted(self.spec_k)]
        protos += [f"void {spec_function(*key, True)}(const mb_conv2d_opt_params *p, "
                   "const mb_dims *in_dims, const int8_t *in, const mb_dims *filter_dims, "
                   "const int8_t *filter, const mb_dims *out_dims, int8_t *out);"
                   for key, im2col in sorted(self.spec_k.items()) if im2col]
        if self.profile:
            includes.append('#include "mb_hal.h"')
        lines = [
            f"/* Generated by mcubench (aot backend) for model {_comment(g.name)}: "
            f"{len(g.ops)} operators, arena {plan.size} bytes. */",
            "#include <stdint.h>", "",
            *includes, '#include "mb_model.h"', '#include "model_weights.h"', "",
            f"#define MB_ARENA_BYTES {arena}",
            f"static uint8_t mb_arena[MB_ARENA_BYTES] __attribute__((aligned({self.align})));",
            "", "/* Arena layout: tensor -> offset (bytes) */",
        ]
        for t in sorted(plan.offsets, key=lambda t: (plan.offsets[t], t)):
            tensor = g.tensors[t]
            alias = f", shares {plan.aliases[t]}" if t in plan.aliases else ""
            lines.append(f"/*   t{t} {_short(tensor.name)} {list(tensor.shape)}: "
                         f"{plan.offsets[t]} +{tensor.nbytes}{alias} */")
        for i, off in sorted(plan.scratch.items()):
            lines.append(f"/*   scratch of operator {i}: {off} +{self.opt[i]['scratch']} */")
        if protos:
            lines += ["", "/* Convolutions on kernels specialized per depth k (conv1x1_k<K>.c) */",
                      *protos]
        lines += ["", *self.data, "", *self.profiled_ops(),
                  table("mb_input_offsets", "uint32_t", [plan.offsets[t] for t in g.inputs]),
                  table("mb_input_bytes", "uint32_t", [g.tensors[t].nbytes for t in g.inputs]),
                  table("mb_output_offsets", "uint32_t", [plan.offsets[t] for t in g.outputs]),
                  table("mb_output_bytes", "uint32_t", [g.tensors[t].nbytes for t in g.outputs]),
                  "",
                  "int mb_model_setup(void) { return 0; } /* everything was prepared at build */",
                  "",
                  *self.invoke(), "",
                  f"int mb_model_num_inputs(void) {{ return {len(g.inputs)}; }}",
                  f"int mb_model_num_outputs(void) {{ return {len(g.outputs)}; }}",
                  "",
                  "void *mb_model_input(int i) {",
                  f"  return (i >= 0 && i < {len(g.inputs)}) ? "
                  "(void *)(mb_arena + mb_input_offsets[i]) : (void *)0;", "}", "",
                  "void *mb_model_output(int i) {",
                  f"  return (i >= 0 && i < {len(g.outputs)}) ? "
                  "(void *)(mb_arena + mb_output_offsets[i]) : (void *)0;", "}", "",
                  "uint32_t mb_model_input_bytes(int i) {",
                  f"  return (i >= 0 && i < {len(g.inputs)}) ? mb_input_bytes[i] : 0;", "}", "",
                  "uint32_t mb_model_output_bytes(int i) {",
                  f"  return (i >= 0 && i < {len(g.outputs)}) ? mb_output_bytes[i] : 0;", "}", ""]
        return "\n".join(lines)
