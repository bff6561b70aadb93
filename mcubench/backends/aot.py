"""Ahead-of-time backend: the IR becomes plain C99 with everything decided at build time.

Output (in the build folder):
- ``model_weights.c`` / ``model_weights.h``: every constant tensor an operator reads, as an aligned
  ``const`` array (flash on a device).
- ``model.c``: per operator its prepared params struct, requantization table and shapes as
  ``static const`` data; one static arena at offsets from ir/planner.py; ``mb_model_invoke`` a flat
  list of kernel calls; the mb_model.h accessors. ``mb_model_setup`` has nothing to do.
- ``mb_params.h``: the params structs, generated from their declarations in mcubench/ops/.
- the kernels the model uses, copied from runtime/kernels: with ``kernels=opt`` (the default) the
  optimized ones of runtime/kernels/opt/ where an operator's module prepares them (folded bias,
  packed filters, fast exact requantization; their scratch memory planned in the arena), else the
  reference kernel; ``kernels=ref``: the reference ones only. int16 (16x8) and float32 operators
  run reference kernels with either setting.

This file knows no operator: each one's module in mcubench/ops/ checks it, prepares it and emits
its data and call through the generator below (ops/base.py).

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
from ..ir.graph import Graph, Op
from ..ir.planner import STRATEGIES, Plan, plan_graph
from ..ops import SPECS
from ..ops.common.cstruct import PARAMS, c_float, c_int, write_headers
from ..ops.common.qmath import nhwc
from .base import Backend

C_TYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t",
           "int64": "int64_t", "float32": "float", "bool": "uint8_t", "uint32": "uint32_t",
           "uint64": "uint64_t"}
WEIGHT_ALIGN = 16
STOP = "/*stop:"  # stop_if's placeholder, /*stop:<code>*/: the statement that ends the invoke
ROW = 24  # values per line in array initializers
GENERATED = ("model.c", "model_weights.c", "model_weights.h", PARAMS)


def _stop(statement: str, add: int) -> str:
    """stop_if's placeholder as `return <code> + add;` (the code a number or a C constant)."""
    def ret(m: re.Match) -> str:
        code = m[1]
        if code.isdigit():
            return f"return {int(code) + add};"
        return f"return {code} + {add};" if add else f"return {code};"
    return re.sub(re.escape(STOP) + r"([^*]+)\*/", ret, statement)


def _comment(text: str) -> str:
    return re.sub(r"[^ -~]|\*/", "?", text)


def _short(name: str) -> str:
    """A tensor name for a comment: TFLite joins fused names with ';', the first one is enough."""
    first = name.split(";")[0]
    return _comment(first if len(first) <= 60 else "..." + first[-57:])


def _array_body(values: np.ndarray) -> str:
    values = np.asarray(values)
    fmt = c_float if values.dtype.kind == "f" else (lambda x: str(int(x)))
    flat = [fmt(x) for x in values.ravel()]
    if not flat:
        return "0"
    rows = [", ".join(flat[i:i + ROW]) for i in range(0, len(flat), ROW)]
    return "\n  " + ",\n  ".join(rows) + "\n"


class Aot(Backend):
    name = "aot"
    description = "ahead-of-time C: static arena, prepared params, a flat list of kernel calls"
    supported_ops = frozenset(SPECS)
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

    @classmethod
    def operators(cls) -> dict[str, tuple[str, ...]]:
        return {kind: spec.types for kind, spec in SPECS.items()}

    def __init__(self, config=None):
        super().__init__(config)
        align = self["arena_align"]
        if align < 1 or align & (align - 1):
            raise ConfigError(f"aot.arena_align={align}: must be a power of two (1, 2, 4, ... 16)")

    # --- checks (LOAD) ---------------------------------------------------------------------------
    def check(self, graph: Graph) -> None:
        super().check(graph)
        for i, op in enumerate(graph.ops):
            check_op(graph, i, op)
        for t in graph.inputs + graph.outputs:
            if graph.tensors[t].is_const:
                raise ModelError(f"{graph.name}: graph input/output {graph.tensors[t].name!r} is a "
                                 "constant; the aot backend needs them in the arena")

    # --- build -----------------------------------------------------------------------------------
    def build(self, graph: Graph, out_dir: Path) -> dict:
        self.check(graph)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if self["arena_align"] < 4 and any(t.dtype == "float32" for t in graph.tensors):
            raise ConfigError(f"aot.arena_align={self['arena_align']}: float32 tensors need 4 or "
                              "more (a misaligned float load faults on Cortex-M)")
        opt: dict[int, dict] = {}
        if self["kernels"] == "opt":
            for i, op in enumerate(graph.ops):
                prepared = SPECS[op.kind].prepare_opt(graph, op, self.config)
                if prepared is not None:
                    opt[i] = prepared
        plan = plan_graph(graph, self["arena_align"], alias_reshapes=self["reshape_in_place"],
                          scratch={i: p["scratch"] for i, p in opt.items() if p["scratch"]},
                          strategy=self["planner"],
                          overlaps={i: p["overlap"] for i, p in opt.items() if p["overlap"]}
                          if self["overlap"] else None)
        gen = Generator(graph, plan, self["arena_align"], opt, self["profile"])
        model_c = gen.model_c()
        for old in out_dir.iterdir():  # a reused build folder: no stale, unused sources
            if old.suffix in (".c", ".h") and old.name not in gen.sources:
                old.unlink()
        (out_dir / "model_weights.h").write_text(gen.weights_h())
        (out_dir / "model_weights.c").write_text(gen.weights_c())
        (out_dir / "model.c").write_text(model_c)
        write_headers(out_dir, (PARAMS,))
        for name, text in sorted(gen.generated.items()):
            (out_dir / name).write_text(text)
        self.copy_runtime(out_dir, sorted(gen.files))
        kernels = {Path(f).stem for f in gen.files if f.endswith(".c")} - {"requant"}
        return {
            "arena": plan.size,
            "arena_lower_bound": plan.lower_bound,
            "kernels": sorted(kernels) + sorted(Path(n).stem for n in gen.generated),
            "weight_bytes": gen.weight_bytes,
            "ops": len(graph.ops),
            "reshapes_in_place": len(plan.aliases),
            "arena_align": self["arena_align"],
            "opt_ops": sorted(opt),
            "scratch": sum(p["scratch"] for p in opt.values()),
            "overlaps": len(plan.overlaps),
            "profile": self["profile"],
        }


def check_op(graph: Graph, i: int, op: Op, interp: bool = False) -> None:
    """One operator's LOAD checks (its module's), as a ModelError naming model and operator."""
    spec = SPECS[op.kind]
    try:
        spec.check(graph, op)
        if interp:
            spec.check_interp(graph, op)
    except ValueError as exc:
        raise ModelError(f"{graph.name}: operator {i} ({op.kind}): {exc}") from None


class Generator:
    """Writes the C text for one graph and plan; collects the files and weights it refers to.

    What operator modules call (ops/base.py): ``act``, ``weight``, ``array``, ``table``,
    ``requant_table``, ``dims``, ``struct`` / ``define`` (static data), ``use`` (runtime files and
    headers), ``generate`` (a source written per model), ``protos``, ``once`` / ``state`` (per-model
    memory), ``short`` (a tensor name for a comment), ``calls`` (the invoke's statements), ``g``
    (the graph) and ``plan``; an operator that keeps state between invokes declares it with
    ``static`` (zeroed memory, ``statics``) and resets it in ``resets`` (statements of
    mb_model_setup), one that may end an invoke early (TFLite Micro's kTfLiteAbort) calls
    ``stop_if``."""

    def __init__(self, graph: Graph, plan: Plan, align: int, opt: dict[int, dict] | None = None,
                 profile: bool = False):
        self.g, self.plan, self.align = graph, plan, align
        self.opt = opt or {}
        self.profile = profile
        self.files: set[str] = set()  # runtime-relative files to copy (kernels, headers)
        self.headers: set[str] = set()  # headers model.c includes
        self.generated: dict[str, str] = {}  # file name -> text, written per model
        self._protos: dict[str, list[str]] = {}  # comment -> prototypes for model.c
        self._once: dict[str, object] = {}
        self.weights: dict[int, str] = {}  # tensor index -> C name
        self.arrays: list[tuple[str, str, np.ndarray, str]] = []  # (name, ctype, values, comment)
        self.weight_bytes = 0
        self.data: list[str] = []  # static const definitions in model.c
        self.calls: list[str] = []  # the body of mb_model_invoke
        self.op_calls: dict[int, list[str]] = {}  # operator -> its statements (profile)
        self.statics: list[str] = []  # state kept between invokes (model.c)
        self.resets: list[str] = []  # mb_model_setup's statements: that state to its start
        self.stops: set[int] = set()  # operators that may end the invoke early
        self._op = -1  # the operator being emitted

    @property
    def sources(self) -> set[str]:
        """Every file name this build writes into its folder."""
        return {Path(f).name for f in self.files} | set(self.generated) | set(GENERATED)

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
        self.weight_bytes += values.size * np.dtype("uint8" if dtype == "bool" else dtype).itemsize
        return name

    @staticmethod
    def short(name: str) -> str:
        return _short(name)

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

    # static data and files ---------------------------------------------------------------------
    def struct(self, name: str, value) -> str:
        """A `static const` params struct from a declared struct's value (ops/common/cstruct.py)."""
        self.define(value.struct.c, name, value.c_init())
        return "&" + name

    def define(self, ctype: str, name: str, init: str) -> None:
        self.data.append(f"static const {ctype} {name} = {init};")

    def dims(self, name: str, shape) -> str:
        self.data.append(f"static const mb_dims {name} = "
                         f"{{{', '.join(str(d) for d in nhwc(shape))}}};")
        return "&" + name

    def requant_table(self, name: str, pairs) -> str:
        items = [f"{{{c_int(m)}, {c_int(s)}}}" for m, s in pairs]
        rows = [", ".join(items[i:i + 4]) for i in range(0, len(items), 4)]
        body = "\n  " + ",\n  ".join(rows) + "\n" if len(items) > 4 else ", ".join(items)
        self.data.append(f"static const mb_requant {name}[{len(pairs)}] = {{{body}}};")
        return name

    def table(self, name: str, ctype: str, values) -> str:
        values = [c_int(v) for v in np.asarray(values).ravel().tolist()]
        rows = [", ".join(values[i:i + ROW]) for i in range(0, len(values), ROW)]
        body = "\n  " + ",\n  ".join(rows) + "\n" if len(values) > ROW else ", ".join(values)
        self.data.append(f"static const {ctype} {name}[{max(len(values), 1)}] = {{{body or '0'}}};")
        return name

    def use(self, *files: str, header: str | None = None) -> None:
        """Runtime files (relative to runtime/) the build copies; `header`: one model.c includes
        (a runtime/include name, or a runtime-relative path, then also copied)."""
        self.files.update(files)
        if header:
            self.headers.add(Path(header).name)
            if "/" in header:
                self.files.add(header)

    def static(self, name: str, ctype: str, count: int, comment: str) -> str:
        """Zeroed memory kept between invokes (bss), e.g. an operator's state."""
        self.statics.append(f"static {ctype} {name}[{max(count, 1)}] "
                            f"__attribute__((aligned(8))); /* {_comment(comment)} */")
        return name

    def stop_if(self, i: int, cond: str, code: int | str = 0) -> None:
        """End the invoke when `cond` holds, skipping the operators after i: successfully (code
        0), or failing with `code`."""
        self.stops.add(i)
        self.calls.append(f"  if ({cond}) {STOP}{code}*/")

    def generate(self, name: str, text: str) -> None:
        self.generated[name] = text

    def protos(self, comment: str, lines: list[str]) -> None:
        self._protos[comment] = lines

    def fallible(self, call: str, code: str) -> None:
        """A kernel call that returns nonzero when it cannot run (an index input out of range):
        invoke ends there and returns `code` (a C expression)."""
        self.stop_if(self._op, f"{call} != 0", code)

    def once(self, key: str, make):
        """make() the first time per model (e.g. a table several operators share)."""
        if key not in self._once:
            self._once[key] = make()
        return self._once[key]

    def state(self, key: str, factory):
        """Per-model memory of an operator kind (e.g. the kernel instances its calls need)."""
        return self.once(key, factory)

    # operators ----------------------------------------------------------------------------------
    def emit(self, i: int, op: Op) -> None:
        start = len(self.calls)
        self._op = i
        g = self.g
        ins = ", ".join(_short(g.tensors[t].name) for t in op.inputs[:1] if t >= 0)
        outs = ", ".join(_short(g.tensors[t].name) for t in op.outputs)
        self.calls.append(f"  /* {i}: {op.kind} {ins} -> {outs} */")
        spec = SPECS[op.kind]
        x, y = (op.inputs[0] if op.inputs else -1), op.outputs[0]
        if spec.alias and self.plan.offsets.get(x) == self.plan.offsets.get(y):
            self.calls.append("  /* in place: the output shares the input's arena bytes */")
        else:
            self.use(header=spec.header)
            if i in self.opt:
                spec.emit_opt(self, i, op, self.opt[i])
            else:
                spec.emit(self, i, op)
        self.op_calls[i] = self.calls[start:]

    def profiled_ops(self) -> list[str]:
        """With profile: one non-inlined function per operator (callgrind sees per-op costs)."""
        if not self.profile:
            return []
        out = []
        for i, stmts in self.op_calls.items():
            if i in self.stops:  # returns 1 + the code to end the invoke with
                out += [f"MB_NOINLINE int mb_op_{i}(void);", f"MB_NOINLINE int mb_op_{i}(void) {{",
                        *(_stop(s, 1) for s in stmts), "  return 0;", "}", ""]
                continue
            out += [f"MB_NOINLINE void mb_op_{i}(void);", f"MB_NOINLINE void mb_op_{i}(void) {{",
                    *stmts, "}", ""]
        return out

    def invoke(self) -> list[str]:
        if not self.profile:
            return ["int mb_model_invoke(void) {", *(_stop(s, 0) for s in self.calls),
                    "  return 0;", "}"]
        out = ["/* Per-operator HAL regions during the first invoke only: the one the harness",
               " * measures (later ones validate other samples). */",
               "static int mb_profiling = 1;", "",
               "int mb_model_invoke(void) {",
               "  const int profiling = mb_profiling;",
               "  mb_profiling = 0;"]
        for i in self.op_calls:
            call = f"const int stop{i} = mb_op_{i}();" if i in self.stops else f"mb_op_{i}();"
            out += [f"  if (profiling) mb_hal_region_begin(MB_REGION_OP0 + {i});",
                    f"  {call}",
                    f"  if (profiling) mb_hal_region_end(MB_REGION_OP0 + {i});"]
            if i in self.stops:
                out.append(f"  if (stop{i}) return stop{i} - 1;")
        return out + ["  return 0;", "}"]

    def model_c(self) -> str:
        g, plan = self.g, self.plan
        for i, op in enumerate(g.ops):
            self.emit(i, op)
        for kind in dict.fromkeys(op.kind for op in g.ops):
            SPECS[kind].finish(self)
        arena = max(plan.size, self.align)

        def table(name: str, ctype: str, values: list[int]) -> str:
            return f"static const {ctype} {name}[{max(len(values), 1)}] = " \
                   f"{{{', '.join(map(str, values)) or '0'}}};"

        includes = [f'#include "{h}"' for h in ["mb_kernels.h",
                                                *sorted(self.headers - {"mb_kernels.h"})]]
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
        for comment, protos in self._protos.items():
            lines += ["", f"/* {comment} */", *protos]
        setup = ["int mb_model_setup(void) { return 0; } /* everything was prepared at build */"]
        if self.resets:
            setup = ["/* The state kept between invokes to its initial value. */",
                     "int mb_model_setup(void) {", *self.resets, "  return 0;", "}"]
        lines += ["", *self.statics, *self.data, "", *self.profiled_ops(),
                  table("mb_input_offsets", "uint32_t", [plan.offsets[t] for t in g.inputs]),
                  table("mb_input_bytes", "uint32_t", [g.tensors[t].nbytes for t in g.inputs]),
                  table("mb_output_offsets", "uint32_t", [plan.offsets[t] for t in g.outputs]),
                  table("mb_output_bytes", "uint32_t", [g.tensors[t].nbytes for t in g.outputs]),
                  "", *setup, "",
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
