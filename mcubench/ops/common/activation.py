"""What the element-wise activations share (LOGISTIC, TANH, RELU, RELU6, HARD_SWISH, LEAKY_RELU):
TFLite's integer arithmetic on Python ints, and the operator base class.

int8 runs as a 256-entry table (an int8 input has only 256 values): the aot backend computes it
by replicating TFLite Micro's integer arithmetic exactly (gemmlowp fixed point for LOGISTIC and
TANH, HardSwishParams' 16-bit path, the requantizations of RELU and LEAKY_RELU), the interpreter at
setup by running the C kernels (runtime/kernels/<op>.c) over the 256 values. Both are tested
bit-exact against TFLite Micro, so the two implementations check each other. float32 calls the
float kernels (runtime/kernels/<op>_f32.c) directly.
"""
from __future__ import annotations

import math

import numpy as np

from ...ir.graph import Graph, Op
from ..base import OpSpec, records
from .cstruct import RECORDS, Const
from .qmath import quantize_multiplier, round_half_away  # noqa: F401 - used by the operators

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
INT16_MIN, INT16_MAX = -(1 << 15), (1 << 15) - 1
TABLE = Const("MBI_ACT_TABLE", 256, "bytes of an int8 activation's table", RECORDS)

# ---- TFLite's integer arithmetic on Python ints (C semantics: truncating division, wrap) -------


def wrap(v: int, bits: int = 32) -> int:
    half = 1 << (bits - 1)
    return (v + half) % (1 << bits) - half


def tdiv(n: int, d: int) -> int:
    """C's integer division: truncates toward zero."""
    q = abs(n) // d
    return q if n >= 0 else -q


def high_mul(a: int, b: int, bits: int = 32) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul for int32 or int16."""
    lo = -(1 << (bits - 1))
    if a == lo and b == lo:
        return -lo - 1
    ab = a * b
    half = 1 << (bits - 2)
    return wrap(tdiv(ab + (half if ab >= 0 else 1 - half), 1 << (bits - 1)), bits)


def shift_right(x: int, e: int, bits: int = 32) -> int:
    """gemmlowp RoundingDivideByPOT; the mask is of the value's type (int16: all ones from 16)."""
    mask = wrap((1 << e) - 1, bits)
    threshold = wrap((mask >> 1) + (1 if x < 0 else 0), bits)
    return wrap((x >> e) + (1 if wrap(x & mask, bits) > threshold else 0), bits)


def requantize(x: int, mult: int, shift: int) -> int:
    """MultiplyByQuantizedMultiplier (double rounding), as runtime/kernels/requant.c."""
    return shift_right(high_mul(wrap(x << max(shift, 0)), mult), max(-shift, 0))


def sat_shift_left(x: int, e: int) -> int:
    threshold = (1 << (31 - e)) - 1
    return INT32_MAX if x > threshold else INT32_MIN if x < -threshold else x << e


def exp_on_negative_values(a: int, integer_bits: int) -> int:
    """gemmlowp exp(a) for a <= 0 in Q(integer_bits), Q0.31 out."""
    frac = 31 - integer_bits
    quarter = 1 << (frac - 2)
    a_mod = (a & (quarter - 1)) - quarter
    x = sat_shift_left(a_mod, integer_bits) + (1 << 28)  # series around -1/8
    x2 = high_mul(x, x)
    x3 = high_mul(x2, x)
    x4 = high_mul(x2, x2)
    poly = shift_right(high_mul(shift_right(x4, 2) + x3, 715827883) + x2, 1)
    result = 1895147668 + high_mul(1895147668, x + poly)
    remainder = a_mod - a
    for k, mult in zip(range(-2, 5), (1672461947, 1302514674, 790015084, 290630308, 39332535,
                                      720401, 242)):
        if k < integer_bits and remainder & (1 << (frac + k)):
            result = high_mul(result, mult)
    if integer_bits > 5 and a < -(1 << (36 - integer_bits)):
        result = 0
    return INT32_MAX if a == 0 else result


def newton_reciprocal(a: int) -> int:
    """1 / (1 + a) in Q2.29 for a in [0, 1] (Q0.31): gemmlowp's 3 Newton-Raphson steps."""
    half_denominator = tdiv(a + INT32_MAX + 1, 2)
    x = 1515870810 + high_mul(half_denominator, -1010580540)
    for _ in range(3):
        one_minus = (1 << 29) - high_mul(half_denominator, x)
        x = x + sat_shift_left(high_mul(x, one_minus), 2)
    return x


def logistic_q4(a: int) -> int:
    if a == 0:
        return 1 << 30
    positive = sat_shift_left(newton_reciprocal(exp_on_negative_values(-abs(a), 4)), 1)
    return positive if a > 0 else INT32_MAX - positive


def tanh_q4(a: int) -> int:
    if a == 0:
        return 0
    t = sat_shift_left(newton_reciprocal(exp_on_negative_values(-abs(a), 5)) - (1 << 29), 2)
    return -t if a < 0 else t


def clamp(v: int, lo: int = -128, hi: int = 127) -> int:
    return min(max(v, lo), hi)


# ---- per-operator parameters (the C structs' fields) and element functions -------------------


def quant(graph: Graph, t: int) -> tuple[np.float32, int]:
    tensor = graph.tensors[t]
    if tensor.quant is None or len(tensor.quant.scale) != 1:
        raise ValueError(f"tensor {tensor.name!r} needs one (per-tensor) scale and zero point")
    scale, zp = np.float32(tensor.quant.scale[0]), int(tensor.quant.zero_point[0])
    if not (np.isfinite(scale) and scale > 0) or not -128 <= zp <= 127:
        raise ValueError(f"tensor {tensor.name!r}: scale {scale} / zero point {zp} not usable")
    return scale, zp


def multiplier(real: float, what: str) -> tuple[int, int]:
    mult, shift = quantize_multiplier(real)
    if shift > 31:
        raise ValueError(f"{what} multiplier {real:g} is too large")
    return mult, shift


def sigmoid_params(graph: Graph, op: Op, out_scale: float, out_zp: int) -> dict:
    """LOGISTIC/TANH int8 prepare: input rescaled to Q4.27, saturation radius (TFLite Micro)."""
    s_in, zp_in = quant(graph, op.inputs[0])
    s_out, zp_out = quant(graph, op.outputs[0])
    if zp_out != out_zp or abs(float(s_out) - out_scale) > 0.001 * out_scale:
        raise ValueError(f"int8 {op.kind} needs output scale 1/{round(1 / out_scale)} and zero "
                         f"point {out_zp} (TFLite's requirement), got {s_out:g} and {zp_out}")
    q, shift = math.frexp(float(s_in) * (1 << 27))
    if not 0 <= shift <= 31:
        raise ValueError(f"input scale {s_in:g} is out of the range int8 {op.kind} handles")
    return {"input_zero_point": zp_in, "input_range_radius": (15 << 27) >> shift,
            "input_multiplier": round_half_away(q * (1 << 31)), "input_left_shift": shift}


def sigmoid_like(p: dict, x: int, fn, frac_bits: int, offset: int) -> int:
    x -= p["input_zero_point"]
    if x <= -p["input_range_radius"]:
        return -128
    if x >= p["input_range_radius"]:
        return 127
    q4 = requantize(x, p["input_multiplier"], p["input_left_shift"])
    return clamp(shift_right(fn(q4), 31 - frac_bits) + offset)


def downscale16(mult: int) -> int:
    """TFLite DownScaleInt32ToInt16Multiplier: Q31 -> Q15, rounded, saturated."""
    return INT16_MAX if mult >= INT32_MAX - (1 << 15) else (mult + (1 << 15)) >> 16


def sat16(v: int) -> int:
    return clamp(v, INT16_MIN, INT16_MAX)


def hard_swish_one(p: dict, x: int) -> int:
    """TFLite's quantized HardSwish on one value, in its int16 steps (kernels/hard_swish.c)."""
    hires = wrap((x - p["input_zero_point"]) * 128, 16)
    preshift_out = high_mul(hires, p["output_multiplier_fixedpoint"], 16)
    e = p["reluish_multiplier_exponent"]
    r = sat16(hires << (e - 1)) if e > 0 else hires
    r = high_mul(r, p["reluish_multiplier_fixedpoint"], 16)
    if e > 0:
        r = sat16(r * 2)
    elif e < 0:
        r = shift_right(r, -e, 16)
    r = (r + (1 << 15)) >> 1
    pre = INT16_MAX if r == preshift_out == INT16_MIN else tdiv(r * preshift_out, 1 << 15)
    v = shift_right(wrap(pre, 16), -p["output_multiplier_exponent"], 16)
    return clamp(wrap(v + p["output_zero_point"], 16))


class Activation(OpSpec):
    """One input, one output of the same type (int8 or float32) and size: the int8 kernel
    mb_<kind>_s8 in runtime/kernels/<stem>.c (run over the 256 values at setup), the float32 one
    mb_<kind>_f32 in <stem>_f32.c (plus `extra` files), the interpreter's mbi_op_<kind>.c."""
    header = "mb_activation.h"
    stem = ""  # kernel files' stem ("": the kind in lower case)
    extra: tuple[str, ...] = ()  # more kernel files of the float32 kernel
    extra_s8: tuple[str, ...] = ()  # more kernel files of the int8 kernel

    @property
    def kernels(self) -> tuple[str, ...]:  # type: ignore[override]
        stem = self.stem or self.kind.lower()
        return (f"{stem}.c", *self.extra_s8, f"{stem}_f32.c", *self.extra)

    @property
    def interp_sources(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("mbi_act.h", f"mbi_op_{self.kind.lower()}.c")

    @property
    def f32_kernels(self) -> tuple[str, ...]:
        return (f"{self.stem or self.kind.lower()}_f32.c", *self.extra)

    @property
    def f32_fn(self) -> str:
        return f"mb_{self.kind.lower()}_f32"

    def check(self, graph: Graph, op: Op) -> None:
        if len(op.inputs) != 1 or len(op.outputs) != 1 or op.inputs[0] < 0:
            raise ValueError("needs one input and one output")
        x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
        if x.is_const or y.is_const:
            raise ValueError("constant input or output; expected activations")
        if x.dtype != y.dtype or x.dtype not in ("int8", "float32"):
            raise ValueError(f"{x.dtype} -> {y.dtype}: supported are int8 and float32, the same "
                             "for input and output")
        if x.size != y.size:
            raise ValueError(f"input {list(x.shape)} and output {list(y.shape)} differ in size")
        if x.dtype == "int8":
            self.params(graph, op)

    params_struct = None  # the int8 kernel's params struct (the interpreter fills it at setup)

    def params(self, graph: Graph, op: Op) -> dict:
        """The int8 kernel's parameters (raises ValueError for what TFLite Micro rejects)."""
        raise NotImplementedError

    def one(self, p: dict, x: int) -> int:
        """The int8 result for input value x."""
        raise NotImplementedError

    def lut(self, graph: Graph, op: Op) -> list[int]:
        p = self.params(graph, op)
        self.params_struct(**p)  # the fields of the C struct, no more, no less
        return [self.one(p, x) for x in range(-128, 128)]

    def emit(self, gen, i: int, op: Op) -> None:
        x, y = op.inputs[0], op.outputs[0]
        size = gen.g.tensors[y].size
        if gen.g.tensors[x].dtype == "int8":
            table = gen.table(f"op{i}_lut", "int8_t", self.lut(gen.g, op))
            gen.calls.append(f"  mb_lut_s8({table}, {size}, {gen.act(x, True)}, "
                             f"{gen.act(y, False)});")
            return
        gen.use(*(f"kernels/{k}" for k in self.f32_kernels))
        gen.calls.append(f"  {self.f32_fn}({self.f32_args(gen, i, op)}{size}, {gen.act(x, True)}, "
                         f"{gen.act(y, False)});")

    def f32_args(self, gen, i: int, op: Op) -> str:
        return ""

    def interp_record(self, graph: Graph, op: Op) -> tuple | None:
        """int8: the table the C kernel made at setup; float32: none (LEAKY_RELU: alpha)."""
        from ..base import Table
        from .cstruct import I8

        if graph.tensors[op.inputs[0]].dtype != "int8":
            return None
        return None, Table(I8, self.lut(graph, op))

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, TABLE.value) if graph.tensors[op.inputs[0]].dtype == "int8" else 0
