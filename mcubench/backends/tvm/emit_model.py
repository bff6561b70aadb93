"""The planned Relax ``main`` -> model.c (mb_model.h) and model_weights.c/.h.

After StaticPlanBlockMemory, ``main`` is a straight list of bindings: ``alloc_storage`` (a region of
the static arena), ``alloc_tensor`` (a tensor at an offset in a storage), ``builtin.alloc_tensor``
(the unplanned model outputs: regions of their own), kernel calls in destination-passing style,
``reshape`` and plain aliases (no code). Walking it gives one C entry function over one static
arena:

    arena = inputs, TVM's planned storages, outputs and each call's kernel workspace, packed by
            live range (``place``: a region free again after its last call is reused)

and every constant becomes an aligned ``const`` array in model_weights.c.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import tvm
from tvm import relax, tirx

from ...errors import ModelError
from .emit_c import BYTES, C_TYPES, Helpers, KernelPrinter, lower, param_buffers

ALIGN = 16
ROW = 20  # values per line of an array initializer


def _align(n: int, a: int = ALIGN) -> int:
    return -(-n // a) * a


def _comment(text: str) -> str:
    return re.sub(r"[^ -~]|\*/", "?", text)


def _value_list(arr: np.ndarray) -> str:
    flat = np.asarray(arr).ravel()
    if flat.dtype == np.float32:
        items = []
        for v in flat.tolist():
            if np.isnan(v) or np.isinf(v):
                items.append("0.0f /* non-finite */")
            else:
                text = "%.9g" % v
                items.append(text + ("" if re.search(r"[.eE]", text) else ".0") + "f")
    elif flat.dtype == np.int64:
        items = ["(-9223372036854775807LL - 1)" if v == -(1 << 63) else f"{v}LL"
                 for v in flat.tolist()]
    elif flat.dtype == np.int32:
        items = ["(-2147483647 - 1)" if v == -(1 << 31) else str(v) for v in flat.tolist()]
    else:
        items = [str(int(v)) for v in flat.tolist()]
    if not items:
        return "0"
    rows = [", ".join(items[i:i + ROW]) for i in range(0, len(items), ROW)]
    return "\n  " + ",\n  ".join(rows) + "\n"


INF = 1 << 30


@dataclass(eq=False)
class Block:
    """A region of the arena with the range of kernel calls it is live in."""

    what: str
    size: int
    first: int = INF  # first call using it (-1: written before invoke, an input)
    last: int = -1  # last call using it (INF: read after invoke, an output)
    offset: int = -1

    def use(self, i: int) -> None:
        self.first, self.last = min(self.first, i), max(self.last, i)


@dataclass
class Tensor:
    block: Block
    offset: int  # within the block
    dtype: str
    nbytes: int

    @property
    def address(self) -> int:
        return self.block.offset + self.offset


@dataclass
class Model:
    """What emit() produced, for meta.json."""

    arena: int = 0
    workspace: int = 0  # largest kernel workspace
    planned: int = 0  # bytes of TVM-planned storages
    io: int = 0
    kernels: int = 0
    calls: int = 0
    weight_bytes: int = 0
    files: dict[str, str] = field(default_factory=dict)


def _int(v) -> int:
    """A PrimValue / IntImm / int argument as an int."""
    while hasattr(v, "value"):
        v = v.value
    return int(v)


def _ttype(expr):
    return expr.ty


def _nbytes(ty) -> int:
    n = 1
    for d in ty.shape.values:
        n *= int(d)
    return n * BYTES[str(ty.dtype)]


def place(blocks: list[Block]) -> int:
    """Offsets for blocks whose live ranges overlap never to overlap in memory; the arena size.

    Greedy, largest first, each at the lowest offset free over its live range (TVM planned the
    storages; this packs them with the model inputs, outputs and per-call kernel workspaces)."""
    placed: list[Block] = []
    for b in sorted(blocks, key=lambda b: (-b.size, b.first)):
        busy = sorted((p.offset, p.offset + _align(p.size)) for p in placed
                      if p.first <= b.last and b.first <= p.last)
        offset = 0
        for lo, hi in busy:
            if offset + _align(b.size) <= lo:
                break
            offset = max(offset, hi)
        b.offset = offset
        placed.append(b)
    return max((b.offset + _align(b.size) for b in blocks), default=0)


class Emitter:
    def __init__(self, mod: tvm.IRModule, name: str, notes: list[str]):
        self.mod, self.name, self.notes = mod, name, notes
        self.blocks: list[Block] = []
        self.tensors: dict = {}  # relax Var -> Tensor
        self.storages: dict = {}  # storage Var -> Block
        self.weights: dict[int, tuple[str, np.ndarray]] = {}  # id of constant -> (C name, value)
        self.weight_by_bytes: dict = {}
        self.kernels: dict[str, str] = {}  # PrimFunc GlobalVar name -> C name
        self.calls: list[tuple[str, list]] = []  # (kernel, [Tensor | C expression])

    def block(self, nbytes: int, what: str) -> Block:
        b = Block(what, nbytes)
        self.blocks.append(b)
        return b

    # bindings ---------------------------------------------------------------------------------
    def walk(self) -> tuple[list[Tensor], list[Tensor]]:
        main = self.mod["main"]
        inputs = []
        for p in main.params:
            ty = _ttype(p)
            b = self.block(_nbytes(ty), f"input {p.name}")
            b.use(-1)
            t = Tensor(b, 0, str(ty.dtype), _nbytes(ty))
            self.tensors[p] = t
            inputs.append(t)
        for block in main.body.blocks:
            for b in block.bindings:
                if not isinstance(b, relax.VarBinding):
                    raise ModelError(f"tvm-aot: unexpected binding {type(b).__name__} in main")
                self.binding(b.var, b.value)
        result = main.body.body
        fields = list(result.fields) if isinstance(result, relax.Tuple) else [result]
        outputs = []
        for f in fields:
            if self.tensors.get(f) is None:
                raise ModelError("tvm-aot: a model output is not a tensor of the arena")
            outputs.append(self.tensors[f])
            outputs[-1].block.use(INF)
        return inputs, outputs

    def binding(self, var, value) -> None:
        if isinstance(value, relax.Var):
            self.tensors[var] = self.tensors.get(value)
            return
        if not isinstance(value, relax.Call):
            raise ModelError(f"tvm-aot: cannot emit {type(value).__name__} in main")
        op = value.op
        if isinstance(op, tvm.ir.Op):
            name = op.name
            ty = _ttype(var)
            if name == "relax.memory.alloc_storage":
                size = _int(value.args[0].values[0])
                self.storages[var] = self.block(size, f"storage {var.name} (planned by TVM)")
            elif name == "relax.memory.alloc_tensor":
                self.tensors[var] = Tensor(self.storages[value.args[0]], _int(value.args[1]),
                                           str(ty.dtype), _nbytes(ty))
            elif name == "relax.builtin.alloc_tensor":
                self.tensors[var] = Tensor(self.block(_nbytes(ty), f"output {var.name}"), 0,
                                           str(ty.dtype), _nbytes(ty))
            elif name in ("relax.reshape", "relax.memory.view"):
                src = self.tensors[value.args[0]]
                self.tensors[var] = Tensor(src.block, src.offset, str(ty.dtype), _nbytes(ty))
            elif name not in ("relax.memory.kill_storage", "relax.memory.kill_tensor"):
                raise ModelError(f"tvm-aot: operator {name} survived to the plan; it has no C "
                                 "here")
            return
        if isinstance(op, relax.GlobalVar) and isinstance(self.mod[op], tirx.PrimFunc):
            self.call(op, value.args)
            self.tensors[var] = None
            return
        raise ModelError(f"tvm-aot: cannot emit a call to {op} in main")

    def call(self, gv, args) -> None:
        func = self.mod[gv]
        if gv.name_hint not in self.kernels:
            self.kernels[gv.name_hint] = f"k{len(self.kernels)}_{_short(gv.name_hint)}"
        params = param_buffers(func)
        if len(params) != len(args):
            raise ModelError(f"tvm-aot: kernel {gv.name_hint} takes {len(params)} buffers, "
                             f"called with {len(args)}")
        index = len(self.calls)
        c_args = []
        for buf, arg in zip(params, args):
            if isinstance(arg, relax.Var):
                t = self.tensors.get(arg)
                if t is None:
                    raise ModelError(f"tvm-aot: argument {arg.name} of {gv.name_hint} has no "
                                     "memory")
                t.block.use(index)
                c_args.append((C_TYPES[str(buf.dtype)], t))
            elif isinstance(arg, tvm.ir.expr.GenericConst):
                c_args.append(self.weight(arg.value.numpy()))
            else:
                raise ModelError(f"tvm-aot: unsupported argument {type(arg).__name__} of "
                                 f"{gv.name_hint}")
        self.calls.append((gv.name_hint, c_args))

    def weight(self, arr: np.ndarray) -> str:
        arr = np.ascontiguousarray(arr)
        if str(arr.dtype) not in C_TYPES:
            raise ModelError(f"tvm-aot: constant of type {arr.dtype}")
        key = (str(arr.dtype), arr.shape, arr.tobytes())
        if key not in self.weight_by_bytes:
            name = f"mb_w{len(self.weight_by_bytes)}"
            self.weight_by_bytes[key] = name
            self.weights[len(self.weights)] = (name, arr)
        return self.weight_by_bytes[key]

    # files ------------------------------------------------------------------------------------
    def emit(self, target) -> Model:
        inputs, outputs = self.walk()
        funcs = {self.kernels[name]: self.mod[name] for name in self.kernels}
        lowered = lower(funcs, target)
        helpers = Helpers()
        texts, scratch = [], {}
        for cname in funcs:
            printer = KernelPrinter(cname, lowered[cname], helpers)
            texts.append(printer.print())
            scratch[cname] = printer.workspace
        # each call's workspace is live during that call only: it may share bytes with tensors
        ws_blocks = []
        for i, (kernel, _) in enumerate(self.calls):
            size = scratch[self.kernels[kernel]]
            ws = self.block(size, f"workspace of call {i} ({self.kernels[kernel]})") if size \
                else None
            if ws:
                ws.use(i)
            ws_blocks.append(ws)
        arena = max(place(self.blocks), ALIGN)
        lines = []
        for (kernel, args), ws in zip(self.calls, ws_blocks):
            text = [a if isinstance(a, str) else f"({a[0]} *)(mb_arena + {a[1].address})"
                    for a in args]
            if ws is not None:
                text.append(f"mb_arena + {ws.offset}")
            lines.append(f"  {self.kernels[kernel]}({', '.join(text)});")
        storages = list(self.storages.values())
        m = Model(arena=arena, workspace=max(scratch.values(), default=0),
                  planned=sum(_align(b.size) for b in storages),
                  io=sum(_align(t.nbytes) for t in inputs + outputs), kernels=len(funcs),
                  calls=len(self.calls))
        m.weight_bytes = sum(a.nbytes for _, a in self.weights.values())
        m.files["model_weights.h"] = self.weights_h()
        m.files["model_weights.c"] = self.weights_c()
        m.files["model.c"] = self.model_c(inputs, outputs, texts, helpers, arena, lines)
        return m

    def weights_h(self) -> str:
        lines = ["/* Generated by mcubench (tvm-aot backend): the model's constants. */",
                 "#ifndef MB_MODEL_WEIGHTS_H", "#define MB_MODEL_WEIGHTS_H", "",
                 "#include <stdint.h>", ""]
        for name, arr in self.weights.values():
            lines.append(f"extern const {C_TYPES[str(arr.dtype)]} {name}[{max(arr.size, 1)}];")
        return "\n".join(lines + ["", "#endif", ""])

    def weights_c(self) -> str:
        out = ["/* Generated by mcubench (tvm-aot backend): the model's constants. */",
               '#include "model_weights.h"', ""]
        for name, arr in self.weights.values():
            out.append(f"/* {arr.dtype} {list(arr.shape)} */")
            out.append(f"const {C_TYPES[str(arr.dtype)]} {name}[{max(arr.size, 1)}] "
                       f"__attribute__((aligned({ALIGN}))) = {{{_value_list(arr)}}};")
            out.append("")
        return "\n".join(out)

    def model_c(self, inputs, outputs, kernels, helpers, arena, calls) -> str:
        def table(name, values):
            return (f"static const uint32_t {name}[{max(len(values), 1)}] = "
                    f"{{{', '.join(map(str, values)) or '0'}}};")

        def live(b):
            first = "before" if b.first < 0 else str(b.first)
            last = "after" if b.last >= INF else str(b.last)
            return f"calls {first}..{last}"

        layout = [f"/*   {b.offset:>7} +{b.size:<7} {_comment(b.what)}, {live(b)} */"
                  for b in sorted(self.blocks, key=lambda b: (b.offset, b.first))]
        n_in, n_out = len(inputs), len(outputs)
        lines = [
            f"/* Generated by mcubench (tvm-aot backend, TVM {tvm.__version__}) for model "
            f"{_comment(self.name)}: {len(self.calls)} kernel calls, arena {arena} bytes. */",
            *[f"/* {_comment(n)} */" for n in self.notes],
            "#include <stdint.h>", "",
            '#include "mb_model.h"', '#include "model_weights.h"', "",
            f"#define MB_ARENA_BYTES {arena}",
            f"static uint8_t mb_arena[MB_ARENA_BYTES] __attribute__((aligned({ALIGN})));",
            "", "/* Arena layout: offset +bytes, what, live range (kernel calls) */", *layout, "",
        ]
        if helpers.used:
            lines += [helpers.text(), ""]
        lines += ["\n\n".join(kernels), ""]
        lines += [table("mb_input_offsets", [t.address for t in inputs]),
                  table("mb_input_bytes", [t.nbytes for t in inputs]),
                  table("mb_output_offsets", [t.address for t in outputs]),
                  table("mb_output_bytes", [t.nbytes for t in outputs]), "",
                  "int mb_model_setup(void) { return 0; } /* everything was planned at build */",
                  "",
                  "int mb_model_invoke(void) {", *calls, "  return 0;", "}", "",
                  f"int mb_model_num_inputs(void) {{ return {n_in}; }}",
                  f"int mb_model_num_outputs(void) {{ return {n_out}; }}", "",
                  "void *mb_model_input(int i) {",
                  f"  return (i >= 0 && i < {n_in}) ? (void *)(mb_arena + mb_input_offsets[i]) "
                  ": (void *)0;", "}", "",
                  "void *mb_model_output(int i) {",
                  f"  return (i >= 0 && i < {n_out}) ? (void *)(mb_arena + mb_output_offsets[i]) "
                  ": (void *)0;", "}", "",
                  "uint32_t mb_model_input_bytes(int i) {",
                  f"  return (i >= 0 && i < {n_in}) ? mb_input_bytes[i] : 0;", "}", "",
                  "uint32_t mb_model_output_bytes(int i) {",
                  f"  return (i >= 0 && i < {n_out}) ? mb_output_bytes[i] : 0;", "}", ""]
        return "\n".join(lines)


def _short(name: str) -> str:
    """A readable kernel name from TVM's fused names (fused_conv2d1_add_cast_... -> conv2d)."""
    name = re.sub(r"^(fused_|merged_\d+)", "", name)
    parts = [p for p in name.split("_") if p]
    keep = next((p for p in parts if re.match(r"(conv2d|matmul|avg|pool|softmax|dense|add)", p)),
                parts[0] if parts else "kernel")
    return re.sub(r"\d+$", "", keep)[:24] or "kernel"
