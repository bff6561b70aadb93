"""SUB and MUL: binary element-wise operators with TFLite's broadcasting, int8, int16 and float32.

The kernels (runtime/kernels/sub.c, mul.c, sub_f32.c, mul_f32.c) walk a loop nest reduced once
(``broadcast_loops``, the same reduction as mb_broadcast_init in runtime/kernels/broadcast.c, which
the interpreter runs at setup): equal shapes become one flat loop, a broadcast operand gets stride
0. The quantized preparation is TFLite Micro's (CalculateOpDataSub: ADD's arithmetic;
CalculateOpDataMul: one multiplier), in double."""
from __future__ import annotations

import numpy as np

from ..ir import quant
from ..ir.graph import Graph, Op
from .base import OpSpec, records

MAX_DIMS = 6  # MB_BROADCAST_DIMS: the interpreter's rank limit (TFLite Micro goes beyond)
DTYPES = ("int8", "int16", "float32")
C_TYPES = {"int8": "int8_t", "int16": "int16_t", "float32": "float"}
SUFFIX = {"int8": "s8", "int16": "s16", "float32": "f32"}
BROADCAST_BYTES = 76  # sizeof(mb_broadcast)
PARAMS_BYTES = {("SUB", False): 48, ("MUL", False): 28, ("SUB", True): 8, ("MUL", True): 8}
FLT_MAX = "3.40282347e+38f"
F32_ACTIVATIONS = {"NONE": (None, None), "RELU": (0.0, None), "RELU6": (0.0, 6.0),
                   "RELU_N1_TO_1": (-1.0, 1.0)}


def broadcast_loops(shape1, shape2, out_shape) -> dict:
    """The mb_broadcast fields for inputs of these shapes broadcast to out_shape: loops outermost
    first, strides in elements (0: the input repeats along that loop); ValueError if the shapes
    do not broadcast to out_shape."""
    rank = len(out_shape)
    if len(shape1) > rank or len(shape2) > rank or rank > MAX_DIMS:
        raise ValueError(f"shapes {list(shape1)}, {list(shape2)} -> {list(out_shape)}: ranks above "
                         f"the output's or above {MAX_DIMS}")
    d1 = (1,) * (rank - len(shape1)) + tuple(int(d) for d in shape1)
    d2 = (1,) * (rank - len(shape2)) + tuple(int(d) for d in shape2)
    loops: list[list[int]] = []  # [extent, stride1, stride2], innermost first
    acc1 = acc2 = 1
    for a, b, o in reversed(list(zip(d1, d2, (int(d) for d in out_shape)))):
        if o < 1 or a not in (1, o) or b not in (1, o) or o not in (a, b):
            raise ValueError(f"shapes {list(shape1)} and {list(shape2)} do not broadcast to "
                             f"{list(out_shape)}")
        s1, s2 = (0 if a == 1 else acc1), (0 if b == 1 else acc2)
        acc1, acc2 = acc1 * a, acc2 * b
        if o == 1:
            continue
        if loops and s1 == loops[-1][1] * loops[-1][0] and s2 == loops[-1][2] * loops[-1][0]:
            loops[-1][0] *= o  # continues where the inner loop ends, for both inputs: merge
            continue
        loops.append([o, s1, s2])
    loops = loops[::-1] or [[1, 0, 0]]
    pad = MAX_DIMS - len(loops)
    return {"rank": len(loops), "shape": [n for n, _, _ in loops] + [1] * pad,
            "stride1": [s for _, s, _ in loops] + [0] * pad,
            "stride2": [s for _, _, s in loops] + [0] * pad}


def _qparams(graph: Graph, t: int) -> tuple[float, int]:
    q = graph.tensors[t].quant
    return float(np.float32(q.scale[0])), int(q.zero_point[0])


def sub_quant(s1, z1, s2, z2, so, zo, fused: str, dtype: str) -> dict:
    """mb_sub_params: TFLite Micro's CalculateOpDataSub, the same scale arithmetic as ADD's (in
    double: a float32 variant of it misses TFLite Micro by one in some int16 cases), every
    multiplier below one."""
    p = quant.add_quant(s1, z1, s2, z2, so, zo, fused, dtype)
    if max(p["input1"][1], p["input2"][1], p["output"][1]) > 0:
        raise ValueError(f"SUB: output scale {so} is too small for input scales {s1}, {s2}")
    return p


def mul_quant(s1, z1, s2, z2, so, zo, fused: str, dtype: str) -> dict:
    """mb_mul_params: TFLite Micro's CalculateOpDataMul (one multiplier, in double)."""
    mult, shift = quant.quantize_multiplier(float(np.float32(s1)) * float(np.float32(s2))
                                            / float(np.float32(so)))
    if shift > 31:
        raise ValueError(f"MUL: multiplier {s1} * {s2} / {so} is too large")
    lo, hi = quant.activation_range(fused, so, zo, dtype)
    return {"input1_offset": -z1, "input2_offset": -z2, "output_offset": zo,
            "output": (mult, shift), "act_min": lo, "act_max": hi}


def _c_float(v) -> str:
    """A float literal; None (no bound) is FLT_MAX, as TFLite bounds an open range."""
    if v is None:
        return FLT_MAX
    text = str(np.float32(v))
    return text + ("f" if "." in text or "e" in text else ".0f")


def _c_field(v) -> str:
    if isinstance(v, tuple):  # an mb_requant
        return f"{{{int(v[0])}, {int(v[1])}}}"
    if isinstance(v, list):
        return "{" + ", ".join(str(int(x)) for x in v) + "}"
    v = int(v)
    return "(-2147483647 - 1)" if v == -(1 << 31) else str(v)


class _Binary(OpSpec):
    header = "mb_binary.h"
    interp_sources = ("mbi_binary.h", "mbi_op_binary.c")

    def check(self, graph: Graph, op: Op) -> None:
        if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
            raise ValueError("needs two inputs and one output")
        a, b, y = (graph.tensors[t] for t in (*op.inputs, op.outputs[0]))
        if y.is_const:
            raise ValueError("constant output; expected an activation")
        if not a.dtype == b.dtype == y.dtype or y.dtype not in DTYPES:
            raise ValueError(f"types {a.dtype}, {b.dtype} -> {y.dtype}; the kernels take one "
                             f"type of {', '.join(DTYPES)}")
        broadcast_loops(a.shape, b.shape, y.shape)
        fused = op.options.get("fused_activation_function", "NONE") or "NONE"
        if fused not in F32_ACTIVATIONS:
            raise ValueError(f"fused activation {fused!r} cannot be a clamp; "
                             f"valid: {', '.join(F32_ACTIVATIONS)}")
        if y.dtype == "float32":
            return
        for t in (a, b, y):
            if t.quant is None or t.quant.per_channel:
                raise ValueError(f"tensor {t.name!r} needs per-tensor quantization")
            zp = int(t.quant.zero_point[0])
            if not (-128 <= zp <= 127) or (y.dtype == "int16" and zp != 0):
                raise ValueError(f"tensor {t.name!r}: zero point {zp} (int8: -128..127, "
                                 "int16: 0)")
            if not 0 < float(t.quant.scale[0]) < 3e38:
                raise ValueError(f"tensor {t.name!r}: scale {t.quant.scale[0]}")
        self.params(graph, op)

    def params(self, graph: Graph, op: Op) -> dict:
        """The kernel's params fields (int8, int16)."""
        (s1, z1), (s2, z2), (so, zo) = (_qparams(graph, t) for t in (*op.inputs, op.outputs[0]))
        fused = op.options.get("fused_activation_function", "NONE") or "NONE"
        return self.arith(s1, z1, s2, z2, so, zo, fused, graph.tensors[op.outputs[0]].dtype)

    def emit(self, gen, i: int, op: Op) -> None:
        g, p, kind = gen.g, f"op{i}", self.kind.lower()
        x1, x2, y = op.inputs[0], op.inputs[1], op.outputs[0]
        dtype = g.tensors[y].dtype
        loops = broadcast_loops(g.tensors[x1].shape, g.tensors[x2].shape, g.tensors[y].shape)
        gen.struct("mb_broadcast", f"{p}_loops", {k: _c_field(v) for k, v in loops.items()})
        if dtype == "float32":
            lo, hi = F32_ACTIVATIONS[op.options.get("fused_activation_function", "NONE") or "NONE"]
            gen.struct(f"mb_{kind}_f32_params", f"{p}_params",
                       {"act_min": "-" + FLT_MAX if lo is None else _c_float(lo),
                        "act_max": _c_float(hi)})
        else:
            gen.struct(f"mb_{kind}_params", f"{p}_params",
                       {k: _c_field(v) for k, v in self.params(g, op).items()})
            gen.kernels.add("requant.c")
        gen.kernels |= {"broadcast.c", f"{kind}{'_f32' if dtype == 'float32' else ''}.c"}
        ctype = C_TYPES[dtype]

        def operand(t: int) -> str:
            return f"(const {ctype} *){gen.weight(t)}" if g.tensors[t].is_const \
                else gen.act(t, True)
        gen.calls.append(f"  mb_{kind}_{SUFFIX[dtype]}(&{p}_params, &{p}_loops, {operand(x1)}, "
                         f"{operand(x2)}, {gen.act(y, False)});")

    def interp_records(self, graph: Graph, op: Op) -> int:
        f32 = graph.tensors[op.outputs[0]].dtype == "float32"
        return records(1, BROADCAST_BYTES + PARAMS_BYTES[(self.kind, f32)])


class Sub(_Binary):
    kind = "SUB"
    code = 41
    kernels = ("broadcast.c", "requant.c", "sub.c", "sub_f32.c")
    interp_sources = _Binary.interp_sources + ("mbi_op_sub.c",)
    arith = staticmethod(sub_quant)


class Mul(_Binary):
    kind = "MUL"
    code = 18
    kernels = ("broadcast.c", "requant.c", "mul.c", "mul_f32.c")
    interp_sources = _Binary.interp_sources + ("mbi_op_mul.c",)
    arith = staticmethod(mul_quant)
