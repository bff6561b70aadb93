"""Lowered TIR -> plain C99: one static function per PrimFunc, typed pointers, no TVM runtime.

TVM's own C codegen needs the packed calling convention (MakePackedAPI, TVMFFIAny, TVM headers), so
kernels are lowered by hand (``LOWERING``: the TIR pipeline up to, not including, MakePackedAPI) and
printed here. Buffer parameters become ``T *restrict`` (``const`` when never stored to). Scratch
buffers of up to ``STACK_LIMIT`` bytes live on the stack; larger ones are carved out of a workspace
the kernel receives as its last parameter (``mb_workspace``), sized here and placed in the arena by
the model emitter for the duration of each call.

Semantics kept exactly: narrow integer results (int8/int16, which C would promote to int) are cast
back to their type, so TIR's wrap-around is preserved; TIR's floor division/modulo get helpers;
left shifts go through unsigned types (C leaves shifting negative values undefined).
"""
from __future__ import annotations

import math
import re

import tvm
from tvm import s_tir, tirx

from ...errors import ModelError

STACK_LIMIT = 64  # bytes: a scratch buffer up to this size is a local array
WORKSPACE_ALIGN = 16

C_TYPES = {"int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
           "uint8": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t",
           "float32": "float", "float64": "double", "bool": "int8_t"}
BYTES = {"int8": 1, "uint8": 1, "bool": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4,
         "float32": 4, "int64": 8, "uint64": 8, "float64": 8}


def lowering_passes() -> list:
    """The TIR pipeline (tvm.s_tir.pipeline's default) up to MakePackedAPI, minus GPU passes and
    minus HoistIfThenElse and RemoveNoOp: on fused kernels with a requantization epilogue their
    provers take seconds per kernel, for nothing the C compiler does not do itself."""
    return [
        s_tir.transform.CanonicalizeLoop(),
        s_tir.transform.LowerInitBlock(),
        s_tir.transform.PlanAndUpdateBufferAllocationLocation(),
        s_tir.transform.ConvertBlocksToOpaque(),
        s_tir.transform.CompactBufferAllocation(),
        s_tir.transform.LowerMatchBuffer(),
        s_tir.transform.StmtSimplify(),
        s_tir.transform.LowerOpaqueBlock(),
        tirx.transform.FlattenBuffer(),
        tirx.transform.NarrowDataType(32),
        s_tir.transform.LoopPartition(),
        tirx.transform.VectorizeLoop(False),
        tirx.transform.StorageRewrite(),
        tirx.transform.UnrollLoop(),
        tirx.transform.StmtSimplify(),
        s_tir.transform.RewriteUnsafeSelect(),
        tirx.transform.CommonSubexprElim(),
    ]


def lower(funcs: dict[str, tirx.PrimFunc], target) -> dict[str, tirx.PrimFunc]:
    """Run the lowering passes over every kernel (by C name)."""
    mod = tvm.IRModule({name: f.with_attr("global_symbol", name) for name, f in funcs.items()})
    with target:
        mod = tvm.transform.Sequential([tirx.transform.BindTarget(target), *lowering_passes()])(mod)
    return {gv.name_hint: f for gv, f in mod.functions.items()}


def param_buffers(func: tirx.PrimFunc) -> list:
    """The buffer of every parameter (TVM 0.27 PrimFunc parameters are buffer-typed)."""
    out = []
    for p in func.params:
        if not hasattr(p, "data") or str(getattr(p, "ty", "")).startswith("handle"):
            raise ModelError(f"tvm-aot: kernel parameter {p} is not a buffer")
        out.append(p)
    return out


def _dtype(x) -> str:
    return str(x.ty if hasattr(x, "ty") else x)


def _ctype(dtype: str) -> str:
    if dtype not in C_TYPES:
        raise ModelError(f"tvm-aot: data type {dtype} has no C equivalent here")
    return C_TYPES[dtype]


def _unparen(text: str) -> str:
    """Drop one pair of parentheses around the whole text (clang: -Wparentheses-equality)."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and i < len(text) - 1:
            return text  # the first parenthesis closes before the end: (a) && (b)
    return text[1:-1]


def _int_literal(value: int, dtype: str) -> str:
    if dtype.startswith("uint"):
        return f"{value}u" if value < (1 << 31) else f"((uint64_t){value}ULL)"
    if dtype == "int64" or not -(1 << 31) <= value < (1 << 31):
        if value == -(1 << 63):
            return "((int64_t)(-9223372036854775807LL - 1))"
        return f"((int64_t){value}LL)"
    if value == -(1 << 31):
        return "(-2147483647 - 1)"
    return f"({value})" if value < 0 else str(value)


def _float_literal(value: float, dtype: str) -> str:
    suffix = "f" if dtype == "float32" else ""
    if math.isnan(value):
        return f"__builtin_nan{suffix}(\"\")"
    if math.isinf(value):
        return f"{'-' if value < 0 else ''}__builtin_inf{suffix}()"
    text = repr(float(value)) if dtype != "float32" else "%.9g" % value
    if not re.search(r"[.eE]", text):
        text += ".0"
    return f"{text}{suffix}"


# Helpers a kernel may need; emitted once per model.c, only those used.
HELPERS = {
    "floordiv": "static inline {t} mb_floordiv_{s}({t} a, {t} b) {{\n"
                "  {t} q = a / b;\n  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;\n}}",
    "floormod": "static inline {t} mb_floormod_{s}({t} a, {t} b) {{\n"
                "  {t} r = a % b;\n  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;\n}}",
    "min": "static inline {t} mb_min_{s}({t} a, {t} b) {{ return a < b ? a : b; }}",
    "max": "static inline {t} mb_max_{s}({t} a, {t} b) {{ return a > b ? a : b; }}",
}
FIXED_HELPERS = {
    "clz32": "static inline int32_t mb_clz32(uint32_t x) {\n  int32_t n = 0;\n"
             "  if (x == 0) return 32;\n  while (!(x & 0x80000000u)) { x <<= 1; n++; }\n"
             "  return n;\n}",
    "roundf": "static inline float mb_roundf(float x) { /* halves away from zero, like C round */\n"
              "  if (!(x > -8388608.0f && x < 8388608.0f)) return x;\n"
              "  return (float)(int32_t)(x + (x < 0.0f ? -0.5f : 0.5f));\n}",
    "floorf": "static inline float mb_floorf(float x) {\n"
              "  if (!(x > -8388608.0f && x < 8388608.0f)) return x;\n"
              "  float t = (float)(int32_t)x;\n  return t > x ? t - 1.0f : t;\n}",
    "fabsf": "static inline float mb_fabsf(float x) { return x < 0.0f ? -x : x; }",
    "expf": "static inline float mb_expf(float x) { /* float fallback only: ~1e-7 relative */\n"
            "  if (x < -87.0f) return 0.0f;\n  if (x > 88.0f) x = 88.0f;\n"
            "  float k = mb_floorf(x * 1.44269504f + 0.5f);\n  float r = x - k * 0.693147181f;\n"
            "  float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666667f + r * (0.0416666667f\n"
            "            + r * (0.00833333333f + r * 0.00138888889f)))));\n"
            "  int32_t e = (int32_t)k;\n  while (e > 0) { p *= 2.0f; e--; }\n"
            "  while (e < 0) { p *= 0.5f; e++; }\n  return p;\n}",
    "sigmoidf": "static inline float mb_sigmoidf(float x) { return 1.0f / (1.0f + mb_expf(-x)); }",
    "tanhf": "static inline float mb_tanhf(float x) {\n"
             "  return 2.0f / (1.0f + mb_expf(-2.0f * x)) - 1.0f;\n}",
}
HELPER_DEPS = {"expf": ["floorf"], "sigmoidf": ["expf"], "tanhf": ["expf"]}


class Helpers:
    def __init__(self):
        self.used: dict[str, str] = {}

    def typed(self, kind: str, dtype: str) -> str:
        name = f"mb_{kind}_{dtype}"
        if name not in self.used:
            self.used[name] = HELPERS[kind].format(t=_ctype(dtype), s=dtype)
        return name

    def fixed(self, kind: str) -> str:
        for dep in HELPER_DEPS.get(kind, []):
            self.fixed(dep)
        name = f"mb_{kind}"
        if name not in self.used:
            self.used[name] = FIXED_HELPERS[kind]
        return name

    def text(self) -> str:
        return "\n".join(self.used.values())


class KernelPrinter:
    """Prints one lowered PrimFunc as a static C function."""

    def __init__(self, name: str, func: tirx.PrimFunc, helpers: Helpers):
        self.name, self.func, self.helpers = name, func, helpers
        self.names: dict = {}  # Var -> C identifier
        self.taken: set[str] = set()
        self.ptr_type: dict = {}  # data Var -> element dtype it is declared with
        self.workspace = 0  # bytes of workspace this kernel needs
        self.lines: list[str] = []
        self.stored: set = set()  # storages written by the kernel
        self.views: dict = {}  # declared buffer view -> the parameter/allocation owning its memory
        self.binds: list[tuple[int, str]] = []  # (line, name) of scalar bindings

    def storage(self, buf):
        """The buffer owning `buf`'s memory (views come from FlattenBuffer and StorageRewrite)."""
        return self.views.get(buf, buf)

    # names ------------------------------------------------------------------------------------
    def var(self, v) -> str:
        if v not in self.names:
            base = re.sub(r"\W", "_", getattr(v, "name_hint", None) or v.name) or "v"
            if base[0].isdigit():
                base = "v" + base
            name, n = base, 1
            while name in self.taken:
                n += 1
                name = f"{base}_{n}"
            self.taken.add(name)
            self.names[v] = name
        return self.names[v]

    # function ---------------------------------------------------------------------------------
    def print(self) -> str:
        f = self.func
        bufs = param_buffers(f)
        for buf in bufs:
            self.ptr_type[buf] = str(buf.dtype)
            self.var(buf)
        self.stmt(f.body, 1)  # first: which parameters are stored to decides their constness
        self.drop_unused_binds()
        params = [f"{'' if b in self.stored else 'const '}{_ctype(str(b.dtype))} *restrict "
                  f"{self.var(b)}" for b in bufs]
        if self.workspace:  # scratch memory: the caller passes a slice of the arena
            params.append("uint8_t *restrict mb_workspace")
        head = f"static void {self.name}({', '.join(params) or 'void'})"
        return "\n".join([head + " {", *self.lines, "}"])

    def drop_unused_binds(self) -> None:
        """Simplification may leave a CSE binding with no use; C would warn (-Wunused-variable)."""
        text = "\n".join(self.lines)
        unused = {i for i, name in self.binds
                  if len(re.findall(rf"\b{re.escape(name)}\b", text)) == 1}
        self.lines = [ln for i, ln in enumerate(self.lines) if i not in unused]

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    # statements -------------------------------------------------------------------------------
    def stmt(self, s, d: int) -> None:
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                self.stmt(x, d)
        elif isinstance(s, tirx.For):
            if int(s.kind) not in (0, 3):
                raise ModelError(f"tvm-aot: kernel {self.name}: {tirx.ForKind(int(s.kind)).name} "
                                 "loops cannot run on a microcontroller")
            v, t = self.var(s.loop_var), _ctype(_dtype(s.loop_var))
            lo, ext = self.expr(s.min), self.expr(s.extent)
            end = ext if lo == "0" else f"{lo} + {ext}"
            self.emit(d, f"for ({t} {v} = {lo}; {v} < {end}; ++{v}) {{")
            self.stmt(s.body, d + 1)
            self.emit(d, "}")
        elif isinstance(s, tirx.BufferStore):
            self.stored.add(self.storage(s.buffer))
            self.emit(d, f"{self.access(s.buffer, s.indices)} = {self.expr(s.value)};")
        elif isinstance(s, tirx.IfThenElse):
            self.emit(d, f"if ({_unparen(self.expr(s.condition))}) {{")
            self.stmt(s.then_case, d + 1)
            if s.else_case is not None:
                self.emit(d, "} else {")
                self.stmt(s.else_case, d + 1)
            self.emit(d, "}")
        elif isinstance(s, tirx.Bind):
            body = getattr(s, "body", None)
            if body is not None:
                self.emit(d, "{")
                d += 1
            self.binds.append((len(self.lines), self.var(s.var)))
            self.emit(d, f"{_ctype(_dtype(s.var))} {self.var(s.var)} = {self.expr(s.value)};")
            if body is not None:
                self.stmt(body, d)
                self.emit(d - 1, "}")
        elif isinstance(s, tirx.AllocBuffer):
            self.alloc(s.buffer, d)
            if getattr(s, "body", None) is not None:
                self.stmt(s.body, d)
        elif isinstance(s, tirx.DeclBuffer):
            data = s.data
            if not (isinstance(data, tvm.ir.Call) and data.op.name == "tirx.buffer_data"):
                raise ModelError(f"tvm-aot: kernel {self.name}: buffer {s.buffer.name} is bound "
                                 f"to {data}, not to another buffer's memory")
            self.views[s.buffer] = self.storage(data.args[0])
            if getattr(s, "body", None) is not None:
                self.stmt(s.body, d)
        elif isinstance(s, tirx.AttrStmt):
            self.stmt(s.body, d)
        elif isinstance(s, tirx.Evaluate):
            if isinstance(s.value, tirx.IntImm):
                return
            self.emit(d, f"(void)({self.expr(s.value)});")
        elif isinstance(s, tirx.AssertStmt):
            return
        elif isinstance(s, tirx.While):
            self.emit(d, f"while ({_unparen(self.expr(s.condition))}) {{")
            self.stmt(s.body, d + 1)
            self.emit(d, "}")
        else:
            raise ModelError(f"tvm-aot: kernel {self.name}: cannot print TIR {type(s).__name__}")

    def alloc(self, buf, d: int) -> None:
        dtype = str(buf.dtype)
        n = 1
        for dim in buf.shape:
            n *= int(dim)
        nbytes = n * BYTES[dtype]
        root = self.storage(buf)
        name, t = self.var(root), _ctype(dtype)
        self.ptr_type[root] = dtype
        if nbytes <= STACK_LIMIT:
            self.emit(d, f"{t} {name}[{n}];")
        else:  # workspace: bump allocation within this kernel
            offset = self.workspace
            self.workspace += -(-nbytes // WORKSPACE_ALIGN) * WORKSPACE_ALIGN
            self.emit(d, f"{t} *restrict {name} = ({t} *)(mb_workspace + {offset});")

    def access(self, buf, indices) -> str:
        if len(indices) != 1:
            raise ModelError(f"tvm-aot: kernel {self.name}: buffer {buf.name} is not flattened")
        dtype, root = str(buf.dtype), self.storage(buf)
        base = self.var(root)
        declared = self.ptr_type.get(root, dtype)
        if declared != dtype:  # storage shared between dtypes (StorageRewrite)
            base = f"(({_ctype(dtype)} *){base})"
        return f"{base}[{self.expr(indices[0])}]"

    # expressions ------------------------------------------------------------------------------
    def narrow(self, text: str, dtype: str) -> str:
        """C computes narrow integers in int: cast back to keep TIR's width."""
        if dtype in ("int8", "int16", "uint8", "uint16"):
            return f"(({_ctype(dtype)})({text}))"
        return f"({text})"

    def expr(self, e) -> str:  # noqa: C901 - one dispatch over TIR's expression kinds
        t = _dtype(e)
        if isinstance(e, tirx.IntImm):
            if t == "bool":
                return "1" if int(e.value) else "0"
            return _int_literal(int(e.value), t)
        if isinstance(e, tirx.FloatImm):
            return _float_literal(float(e.value), t)
        if isinstance(e, tirx.Var):
            return self.var(e)
        binary = {tirx.Add: "+", tirx.Sub: "-", tirx.Mul: "*"}
        for cls, op in binary.items():
            if isinstance(e, cls):
                return self.narrow(f"{self.expr(e.a)} {op} {self.expr(e.b)}", t)
        bitwise = {tirx.RShift: ">>", tirx.BitwiseAnd: "&", tirx.BitwiseOr: "|",
                   tirx.BitwiseXor: "^"}
        for cls, op in bitwise.items():
            if isinstance(e, cls):
                return self.narrow(f"{self.expr(e.a)} {op} {self.expr(e.b)}", t)
        if isinstance(e, tirx.LShift):
            return self.shift_left(self.expr(e.a), self.expr(e.b), t)
        if isinstance(e, tirx.BitwiseNot):
            return self.narrow(f"~{self.expr(e.a)}", t)
        if isinstance(e, (tirx.Div, tirx.Mod)):
            op = "/" if isinstance(e, tirx.Div) else "%"
            return self.narrow(f"{self.expr(e.a)} {op} {self.expr(e.b)}", t)
        if isinstance(e, (tirx.FloorDiv, tirx.FloorMod)):
            if t.startswith("float"):
                raise ModelError("tvm-aot: float floor division is not supported")
            kind = "floordiv" if isinstance(e, tirx.FloorDiv) else "floormod"
            return f"{self.helpers.typed(kind, t)}({self.expr(e.a)}, {self.expr(e.b)})"
        if isinstance(e, (tirx.Min, tirx.Max)):
            kind = "min" if isinstance(e, tirx.Min) else "max"
            return f"{self.helpers.typed(kind, t)}({self.expr(e.a)}, {self.expr(e.b)})"
        compare = {tirx.EQ: "==", tirx.NE: "!=", tirx.LT: "<", tirx.LE: "<=", tirx.GT: ">",
                   tirx.GE: ">=", tirx.And: "&&", tirx.Or: "||"}
        for cls, op in compare.items():
            if isinstance(e, cls):
                return f"({self.expr(e.a)} {op} {self.expr(e.b)})"
        if isinstance(e, tirx.Not):
            return f"(!{self.expr(e.a)})"
        if isinstance(e, tirx.Select):
            return (f"({self.expr(e.condition)} ? {self.expr(e.true_value)} : "
                    f"{self.expr(e.false_value)})")
        if isinstance(e, tirx.Cast):
            if t == "bool":
                return f"(({self.expr(e.value)}) != 0)"
            return f"(({_ctype(t)})({self.expr(e.value)}))"
        if isinstance(e, tvm.ir.TensorLoad):  # TVM 0.27's buffer load
            return self.access(e.source, e.indices)
        if isinstance(e, tirx.Let):
            raise ModelError(f"tvm-aot: kernel {self.name}: expression-level let is not supported")
        if isinstance(e, tvm.ir.Call) or type(e).__name__ == "Call":
            return self.call(e, t)
        raise ModelError(f"tvm-aot: kernel {self.name}: cannot print TIR {type(e).__name__}")

    @staticmethod
    def shift_left(a: str, b: str, t: str) -> str:
        """Through the unsigned type: shifting a negative value left is undefined in C."""
        u = _ctype("u" + t) if t.startswith("int") else _ctype(t)
        return f"(({_ctype(t)})(({u}){a} << {b}))"

    def call(self, e, t: str) -> str:
        op = "tirx." + e.op.name.split(".", 1)[-1]  # intrinsics are tirx.* or prim.*
        a = [self.expr(x) for x in e.args]
        if op == "tirx.if_then_else":
            return f"({a[0]} ? {a[1]} : {a[2]})"
        if op == "tirx.likely":
            return a[0]
        if op == "tirx.shift_right":
            return self.narrow(f"{a[0]} >> {a[1]}", t)
        if op == "tirx.shift_left":
            return self.shift_left(a[0], a[1], t)
        bitwise = {"tirx.bitwise_and": "&", "tirx.bitwise_or": "|", "tirx.bitwise_xor": "^"}
        if op in bitwise:
            return self.narrow(f"{a[0]} {bitwise[op]} {a[1]}", t)
        if op == "tirx.bitwise_not":
            return self.narrow(f"~{a[0]}", t)
        if op == "tirx.clz":
            if _dtype(e.args[0]) not in ("int32", "uint32"):
                raise ModelError(f"tvm-aot: clz of {_dtype(e.args[0])}")
            return f"{self.helpers.fixed('clz32')}((uint32_t){a[0]})"
        floats = {"tirx.round": "roundf", "tirx.nearbyint": "roundf", "tirx.floor": "floorf",
                  "tirx.fabs": "fabsf", "tirx.exp": "expf", "tirx.sigmoid": "sigmoidf",
                  "tirx.tanh": "tanhf"}
        if op in floats and t == "float32":
            return f"{self.helpers.fixed(floats[op])}({a[0]})"
        raise ModelError(f"tvm-aot: kernel {self.name}: TIR intrinsic {op} ({t}) has no C "
                         "translation here")
