"""Element-wise activations: LOGISTIC, TANH, RELU, RELU6, HARD_SWISH, LEAKY_RELU, int8 and float32.

int8 runs as a 256-entry table (an int8 input has only 256 values): the aot backend computes it
here by replicating TFLite Micro's integer arithmetic exactly (gemmlowp fixed point for LOGISTIC and
TANH, HardSwishParams' 16-bit path, the requantizations of RELU and LEAKY_RELU), the interpreter at
setup by running the C kernels (runtime/kernels/<op>.c) over the 256 values. Both are tested
bit-exact against TFLite Micro, so the two implementations check each other. float32 calls the
float kernels (runtime/kernels/<op>_f32.c) directly.
"""
from __future__ import annotations

import math

import numpy as np

from ..ir.graph import Graph, Op
from ..ir.quant import quantize_multiplier, round_half_away
from .base import OpSpec, records

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
INT16_MIN, INT16_MAX = -(1 << 15), (1 << 15) - 1
LUT_BYTES = 256

# ---- TFLite's integer arithmetic on Python ints (C semantics: truncating division, wrap) -------


def _wrap(v: int, bits: int = 32) -> int:
    half = 1 << (bits - 1)
    return (v + half) % (1 << bits) - half


def _tdiv(n: int, d: int) -> int:
    """C's integer division: truncates toward zero."""
    q = abs(n) // d
    return q if n >= 0 else -q


def _high_mul(a: int, b: int, bits: int = 32) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul for int32 or int16."""
    lo = -(1 << (bits - 1))
    if a == lo and b == lo:
        return -lo - 1
    ab = a * b
    half = 1 << (bits - 2)
    return _wrap(_tdiv(ab + (half if ab >= 0 else 1 - half), 1 << (bits - 1)), bits)


def _shift_right(x: int, e: int, bits: int = 32) -> int:
    """gemmlowp RoundingDivideByPOT; the mask is of the value's type (int16: all ones from 16)."""
    mask = _wrap((1 << e) - 1, bits)
    threshold = _wrap((mask >> 1) + (1 if x < 0 else 0), bits)
    return _wrap((x >> e) + (1 if _wrap(x & mask, bits) > threshold else 0), bits)


def _requantize(x: int, mult: int, shift: int) -> int:
    """MultiplyByQuantizedMultiplier (double rounding), as runtime/kernels/requant.c."""
    return _shift_right(_high_mul(_wrap(x << max(shift, 0)), mult), max(-shift, 0))


def _sat_shift_left(x: int, e: int) -> int:
    threshold = (1 << (31 - e)) - 1
    return INT32_MAX if x > threshold else INT32_MIN if x < -threshold else x << e


def _exp_on_negative_values(a: int, integer_bits: int) -> int:
    """gemmlowp exp(a) for a <= 0 in Q(integer_bits), Q0.31 out."""
    frac = 31 - integer_bits
    quarter = 1 << (frac - 2)
    a_mod = (a & (quarter - 1)) - quarter
    x = _sat_shift_left(a_mod, integer_bits) + (1 << 28)  # series around -1/8
    x2 = _high_mul(x, x)
    x3 = _high_mul(x2, x)
    x4 = _high_mul(x2, x2)
    poly = _shift_right(_high_mul(_shift_right(x4, 2) + x3, 715827883) + x2, 1)
    result = 1895147668 + _high_mul(1895147668, x + poly)
    remainder = a_mod - a
    for k, mult in zip(range(-2, 5), (1672461947, 1302514674, 790015084, 290630308, 39332535,
                                      720401, 242)):
        if k < integer_bits and remainder & (1 << (frac + k)):
            result = _high_mul(result, mult)
    if integer_bits > 5 and a < -(1 << (36 - integer_bits)):
        result = 0
    return INT32_MAX if a == 0 else result


def _newton_reciprocal(a: int) -> int:
    """1 / (1 + a) in Q2.29 for a in [0, 1] (Q0.31): gemmlowp's 3 Newton-Raphson steps."""
    half_denominator = _tdiv(a + INT32_MAX + 1, 2)
    x = 1515870810 + _high_mul(half_denominator, -1010580540)
    for _ in range(3):
        one_minus = (1 << 29) - _high_mul(half_denominator, x)
        x = x + _sat_shift_left(_high_mul(x, one_minus), 2)
    return x


def _logistic_q4(a: int) -> int:
    if a == 0:
        return 1 << 30
    positive = _sat_shift_left(_newton_reciprocal(_exp_on_negative_values(-abs(a), 4)), 1)
    return positive if a > 0 else INT32_MAX - positive


def _tanh_q4(a: int) -> int:
    if a == 0:
        return 0
    t = _sat_shift_left(_newton_reciprocal(_exp_on_negative_values(-abs(a), 5)) - (1 << 29), 2)
    return -t if a < 0 else t


def _clamp(v: int, lo: int = -128, hi: int = 127) -> int:
    return min(max(v, lo), hi)


# ---- per-operator parameters (the C structs' fields) and element functions -------------------


def _quant(graph: Graph, t: int) -> tuple[np.float32, int]:
    tensor = graph.tensors[t]
    if tensor.quant is None or len(tensor.quant.scale) != 1:
        raise ValueError(f"tensor {tensor.name!r} needs one (per-tensor) scale and zero point")
    scale, zp = np.float32(tensor.quant.scale[0]), int(tensor.quant.zero_point[0])
    if not (np.isfinite(scale) and scale > 0) or not -128 <= zp <= 127:
        raise ValueError(f"tensor {tensor.name!r}: scale {scale} / zero point {zp} not usable")
    return scale, zp


def _multiplier(real: float, what: str) -> tuple[int, int]:
    mult, shift = quantize_multiplier(real)
    if shift > 31:
        raise ValueError(f"{what} multiplier {real:g} is too large")
    return mult, shift


def _sigmoid_params(graph: Graph, op: Op, out_scale: float, out_zp: int) -> dict:
    """LOGISTIC/TANH int8 prepare: input rescaled to Q4.27, saturation radius (TFLite Micro)."""
    s_in, zp_in = _quant(graph, op.inputs[0])
    s_out, zp_out = _quant(graph, op.outputs[0])
    if zp_out != out_zp or abs(float(s_out) - out_scale) > 0.001 * out_scale:
        raise ValueError(f"int8 {op.kind} needs output scale 1/{round(1 / out_scale)} and zero "
                         f"point {out_zp} (TFLite's requirement), got {s_out:g} and {zp_out}")
    q, shift = math.frexp(float(s_in) * (1 << 27))
    if not 0 <= shift <= 31:
        raise ValueError(f"input scale {s_in:g} is out of the range int8 {op.kind} handles")
    return {"input_zero_point": zp_in, "input_range_radius": (15 << 27) >> shift,
            "input_multiplier": round_half_away(q * (1 << 31)), "input_left_shift": shift}


def _sigmoid_like(p: dict, x: int, fn, frac_bits: int, offset: int) -> int:
    x -= p["input_zero_point"]
    if x <= -p["input_range_radius"]:
        return -128
    if x >= p["input_range_radius"]:
        return 127
    q4 = _requantize(x, p["input_multiplier"], p["input_left_shift"])
    return _clamp(_shift_right(fn(q4), 31 - frac_bits) + offset)


def _downscale16(mult: int) -> int:
    """TFLite DownScaleInt32ToInt16Multiplier: Q31 -> Q15, rounded, saturated."""
    return INT16_MAX if mult >= INT32_MAX - (1 << 15) else (mult + (1 << 15)) >> 16


def _sat16(v: int) -> int:
    return _clamp(v, INT16_MIN, INT16_MAX)


def _hard_swish_one(p: dict, x: int) -> int:
    """TFLite's quantized HardSwish on one value, in its int16 steps (kernels/hard_swish.c)."""
    hires = _wrap((x - p["input_zero_point"]) * 128, 16)
    preshift_out = _high_mul(hires, p["output_multiplier_fixedpoint"], 16)
    e = p["reluish_multiplier_exponent"]
    r = _sat16(hires << (e - 1)) if e > 0 else hires
    r = _high_mul(r, p["reluish_multiplier_fixedpoint"], 16)
    if e > 0:
        r = _sat16(r * 2)
    elif e < 0:
        r = _shift_right(r, -e, 16)
    r = (r + (1 << 15)) >> 1
    pre = INT16_MAX if r == preshift_out == INT16_MIN else _tdiv(r * preshift_out, 1 << 15)
    v = _shift_right(_wrap(pre, 16), -p["output_multiplier_exponent"], 16)
    return _clamp(_wrap(v + p["output_zero_point"], 16))


class _Activation(OpSpec):
    """One input, one output of the same type (int8 or float32) and size."""
    header = "mb_activation.h"
    f32_kernels: tuple[str, ...] = ()
    f32_fn = ""

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

    def params(self, graph: Graph, op: Op) -> dict:
        """The int8 kernel's parameters (raises ValueError for what TFLite Micro rejects)."""
        raise NotImplementedError

    def one(self, p: dict, x: int) -> int:
        """The int8 result for input value x."""
        raise NotImplementedError

    def lut(self, graph: Graph, op: Op) -> list[int]:
        p = self.params(graph, op)
        return [self.one(p, x) for x in range(-128, 128)]

    def emit(self, gen, i: int, op: Op) -> None:
        x, y = op.inputs[0], op.outputs[0]
        size = gen.g.tensors[y].size
        if gen.g.tensors[x].dtype == "int8":
            table = gen.table(f"op{i}_lut", "int8_t", self.lut(gen.g, op))
            gen.calls.append(f"  mb_lut_s8({table}, {size}, {gen.act(x, True)}, "
                             f"{gen.act(y, False)});")
            return
        gen.kernels.update(self.f32_kernels)
        gen.calls.append(f"  {self.f32_fn}({self.f32_args(gen, i, op)}{size}, {gen.act(x, True)}, "
                         f"{gen.act(y, False)});")

    def f32_args(self, gen, i: int, op: Op) -> str:
        return ""

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, LUT_BYTES) if graph.tensors[op.inputs[0]].dtype == "int8" else 0


class Logistic(_Activation):
    kind = "LOGISTIC"
    code = 14
    kernels = ("logistic.c", "logistic_f32.c", "exp_f32.c")
    interp_sources = ("mbi_act.h", "mbi_op_logistic.c")
    f32_kernels = ("logistic_f32.c", "exp_f32.c")
    f32_fn = "mb_logistic_f32"

    def params(self, graph: Graph, op: Op) -> dict:
        return _sigmoid_params(graph, op, 1 / 256, -128)

    def one(self, p: dict, x: int) -> int:
        return _sigmoid_like(p, x, _logistic_q4, 8, -128)


class Tanh(_Activation):
    kind = "TANH"
    code = 28
    kernels = ("tanh.c", "logistic.c", "tanh_f32.c", "exp_f32.c")
    interp_sources = ("mbi_act.h", "mbi_op_tanh.c")
    f32_kernels = ("tanh_f32.c", "exp_f32.c")
    f32_fn = "mb_tanh_f32"

    def params(self, graph: Graph, op: Op) -> dict:
        return _sigmoid_params(graph, op, 1 / 128, 0)

    def one(self, p: dict, x: int) -> int:
        return _sigmoid_like(p, x, _tanh_q4, 7, 0)


class Relu(_Activation):
    kind = "RELU"
    code = 19
    kernels = ("relu.c", "relu_f32.c")
    interp_sources = ("mbi_act.h", "mbi_op_relu.c")
    f32_kernels = ("relu_f32.c",)
    f32_fn = "mb_relu_f32"

    def params(self, graph: Graph, op: Op) -> dict:
        """TFLite Micro CalculateReluOpData: input/output scale ratio in double, clamp from 0."""
        s_in, zp_in = _quant(graph, op.inputs[0])
        s_out, zp_out = _quant(graph, op.outputs[0])
        mult, shift = _multiplier(float(s_in) / float(s_out), "input/output scale")
        return {"input_offset": zp_in, "output_offset": zp_out, "mult": mult, "shift": shift,
                "act_min": max(-128, zp_out), "act_max": 127}

    def one(self, p: dict, x: int) -> int:
        v = p["output_offset"] + _requantize(x - p["input_offset"], p["mult"], p["shift"])
        return min(max(v, p["act_min"]), p["act_max"])


class Relu6(_Activation):
    kind = "RELU6"
    code = 21
    kernels = ("relu.c", "relu_f32.c")
    interp_sources = ("mbi_act.h", "mbi_op_relu6.c")
    f32_kernels = ("relu_f32.c",)
    f32_fn = "mb_relu6_f32"

    def params(self, graph: Graph, op: Op) -> dict:
        """TFLite Micro Relu6Prepare: 0 and 6 in the input's quantization (float32 division)."""
        s_in, zp_in = _quant(graph, op.inputs[0])
        _quant(graph, op.outputs[0])
        r = np.float32(6.0) / s_in
        if not r < 2.0 ** 31:
            raise ValueError(f"input scale {s_in:g} is too small for RELU6")
        return {"zero": zp_in, "six": _clamp(round_half_away(float(r)) + zp_in)}

    def one(self, p: dict, x: int) -> int:
        return p["six"] if x > p["six"] else p["zero"] if x < p["zero"] else x


class HardSwish(_Activation):
    kind = "HARD_SWISH"
    code = 117
    kernels = ("hard_swish.c", "hard_swish_f32.c")
    interp_sources = ("mbi_act.h", "mbi_op_hard_swish.c")
    f32_kernels = ("hard_swish_f32.c",)
    f32_fn = "mb_hard_swish_f32"

    def params(self, graph: Graph, op: Op) -> dict:
        """TFLite Micro HardSwishPrepare: float32 scale ratios, Q15 multipliers."""
        s_in, zp_in = _quant(graph, op.inputs[0])
        s_out, zp_out = _quant(graph, op.outputs[0])
        hires = np.float32(1.0 / 128.0) * s_in
        out_mult, out_exp = _multiplier(float(hires / s_out), "output")
        if out_exp > 0:
            raise ValueError(f"output scale {s_out:g} is below input scale / 128")
        relu_mult, relu_exp = _multiplier(float(hires / np.float32(3.0 / 32768.0)), "input")
        return {"input_zero_point": zp_in, "output_zero_point": zp_out,
                "output_multiplier_exponent": out_exp, "reluish_multiplier_exponent": relu_exp,
                "output_multiplier_fixedpoint": _downscale16(out_mult),
                "reluish_multiplier_fixedpoint": _downscale16(relu_mult)}

    def one(self, p: dict, x: int) -> int:
        return _hard_swish_one(p, x)


class LeakyRelu(_Activation):
    kind = "LEAKY_RELU"
    code = 98
    kernels = ("leaky_relu.c", "leaky_relu_f32.c")
    interp_sources = ("mbi_act.h", "mbi_op_leaky_relu.c")
    f32_kernels = ("leaky_relu_f32.c",)
    f32_fn = "mb_leaky_relu_f32"

    @staticmethod
    def alpha(op: Op) -> np.float32:
        alpha = np.float32(op.options.get("alpha", 0.0))
        if not (np.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"alpha {alpha} not supported (needs a finite alpha >= 0)")
        return alpha

    def check(self, graph: Graph, op: Op) -> None:
        self.alpha(op)
        super().check(graph, op)

    def params(self, graph: Graph, op: Op) -> dict:
        """TFLite Micro CalculateOpDataLeakyRelu: both ratios in float32."""
        s_in, zp_in = _quant(graph, op.inputs[0])
        s_out, zp_out = _quant(graph, op.outputs[0])
        mult_id, shift_id = _multiplier(float(s_in / s_out), "identity")
        mult_a, shift_a = _multiplier(float(s_in * self.alpha(op) / s_out), "alpha")
        return {"input_offset": zp_in, "output_offset": zp_out, "mult_identity": mult_id,
                "shift_identity": shift_id, "mult_alpha": mult_a, "shift_alpha": shift_a}

    def one(self, p: dict, x: int) -> int:
        x -= p["input_offset"]
        mult, shift = (p["mult_identity"], p["shift_identity"]) if x >= 0 else \
            (p["mult_alpha"], p["shift_alpha"])
        return _clamp(p["output_offset"] + _requantize(x, mult, shift))

    def f32_args(self, gen, i: int, op: Op) -> str:
        gen.struct("mb_leaky_relu_f32_params", f"op{i}_params",
                   {"alpha": f"{float(self.alpha(op))!r}f"})
        return f"&op{i}_params, "

    def interp_records(self, graph: Graph, op: Op) -> int:
        return super().interp_records(graph, op) or records(1, 4)  # float32: alpha
