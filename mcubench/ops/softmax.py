"""SOFTMAX over the last axis: int8 in and int8 or int16 out (TFLite Micro's fixed-point exp), int16
(its lookup tables with linear interpolation) and float32.

- int8: runtime/kernels/softmax.c on gemmlowp's fixed point (kernels/fixedpoint.c), parameters
  from beta and the input scale as TFLite's PreprocessSoftmaxScaling and CalculateInputRadius; the
  output is TFLite's fixed 1/256 and -128 (the scale exactly, as TFLite Micro insists), or for an
  int16 output 1/65536 (within 0.1%) and -32768.
- int16: runtime/kernels/softmax_s16.c over two 513-entry tables, exp over [-10, 0] and 1/(1+x)
  over [0, 1] (TFLite's gen_lut in float32, reproduced bit for bit: the aot backend emits them
  once per model; the interpreter builds them at setup, runtime/interp/mbi_lut_s16.c).
- float32: runtime/kernels/softmax_f32.c (a libm-free exp; within 4 ulp of TFLite Micro).
"""
from __future__ import annotations

import math

import numpy as np

from ..ir.graph import Graph, Op
from .base import OpSpec, Table, record, records
from .common.check import f32_tensor, int8_act, need, one_output, out_dtype, s16_act
from .common.cstruct import F32, I16, I32, RECORDS, U32, Const, Struct, fields, ptr
from .common.qmath import (
    f32,
    qparams_s8,
    qparams_s16,
    quantize_multiplier,
    quantize_multiplier_greater_than_one,
    round_half_away,
)

LUT_SIZE = Const("MB_SOFTMAX_S16_LUT", 513, "entries of each int16 softmax table (512 segments, "
                                           "one extra end point)")
DIFF_INTEGER_BITS = 5  # kScaledDiffIntegerBits of TFLite's int8 softmax

PARAMS = Struct(
    "mb_softmax_params", "SOFTMAX, int8: the fixed-point exp of TFLite Micro's reference kernel "
                         "(input_multiplier/left_shift prepared from beta and the input scale, "
                         "diff_min the smallest difference that still counts).",
    fields(I32, "input_multiplier"),
    fields(I32, "input_left_shift"),
    fields(I32, "diff_min"))
PARAMS_F32 = Struct("mb_softmax_f32_params", "SOFTMAX, float32.", fields(F32, "beta"))
PARAMS_S16 = Struct(
    "mb_softmax_s16_params", "SOFTMAX, int16: exp and 1/(1+x) by lookup tables with linear "
                             "interpolation; the input difference to the row's maximum is scaled "
                             "by input_multiplier/input_left_shift so that [-65535, 0] spans "
                             "[-10, 0].",
    fields(I32, "input_multiplier"),
    fields(I32, "input_left_shift"),
    fields(ptr(I16), "exp_lut"),
    fields(ptr(I16), "one_over_one_plus_x_lut"))
DATA = Struct("mbi_softmax_data", "int8 SOFTMAX prepared at setup.",
              fields(PARAMS, "p"), fields(I32, "rows", "depth"), header=RECORDS)
DATA_F32 = Struct("mbi_softmax_f32_data", "float32 SOFTMAX prepared at setup.",
                  fields(PARAMS_F32, "p"), fields(I32, "rows", "depth"), header=RECORDS)
DATA_S16 = Struct("mbi_softmax_s16_data", "int16 SOFTMAX prepared at setup.",
                  fields(I32, "input_multiplier", "input_left_shift"),
                  fields(I32, "rows", "depth"),
                  fields(U32, "luts", doc="arena offset of the two tables"),
                  header=RECORDS)


def rows_depth(graph: Graph, op: Op) -> tuple[int, int]:
    x = graph.tensors[op.inputs[0]]
    depth = int(x.shape[-1]) if x.shape else 1
    return x.size // depth, depth


def softmax_quant(beta: float, input_scale) -> dict:
    """TFLite int8 SOFTMAX prepare (PreprocessSoftmaxScaling + CalculateInputRadius)."""
    bits = DIFF_INTEGER_BITS
    real = min(float(np.float32(beta)) * f32(input_scale) * (1 << (31 - bits)), (1 << 31) - 1.0)
    mult, left_shift = quantize_multiplier_greater_than_one(real)
    radius = math.floor(((1 << bits) - 1) * (1 << (31 - bits)) / (1 << left_shift))
    return {"input_multiplier": mult, "input_left_shift": left_shift, "diff_min": -radius}


def params_s8(graph: Graph, op: Op) -> dict:
    """mb_softmax_params fields (int8 in, int8 or int16 out)."""
    scale, _ = qparams_s8(graph, op.inputs[0])
    y = graph.tensors[op.outputs[0]]
    if y.dtype == "int16":
        out_scale, out_zp = float(np.float32(y.quant.scale[0])), int(y.quant.zero_point[0])
        if out_zp != -32768 or abs(out_scale - 1 / 65536) > 1e-3 / 65536:  # TFLite Micro's
            raise ValueError(f"SOFTMAX: int8 -> int16 needs output scale 1/65536 and zero point "
                             f"-32768, got {out_scale} and {out_zp}")
    else:
        out_scale, out_zp = qparams_s8(graph, op.outputs[0])
        if out_zp != -128 or np.float32(out_scale) != np.float32(1 / 256):  # TFLite Micro's
            raise ValueError(f"SOFTMAX: int8 output must have scale 1/256 (exactly) and zero "
                             f"point -128, got {out_scale} and {out_zp}")
    return softmax_quant(float(op.options.get("beta", 1.0)), scale)


def params_s16(graph: Graph, op: Op) -> dict:
    """mb_softmax_s16_params fields (without the tables)."""
    in_scale = qparams_s16(graph, op.inputs[0])
    out_scale = qparams_s16(graph, op.outputs[0])
    if abs(out_scale - 1 / 32768) > 1e-3 / 32768:  # what TFLite requires
        raise ValueError(f"SOFTMAX: int16 output must have scale 1/32768 and zero point 0, got "
                         f"{out_scale}")
    # [-65535, 0] onto [-10, 0]: scale * beta / (10 / 65535), in double as TFLite
    real = f32(in_scale) * f32(op.options.get("beta", 1.0)) / (10.0 / 65535.0)
    mult, shift = quantize_multiplier(real)
    if shift > 31:
        raise ValueError(f"SOFTMAX: input scale x beta {real} is too large")
    return {"input_multiplier": mult, "input_left_shift": shift}


# --- TFLite's int16 lookup tables, bit for bit -------------------------------------------------

def _round_f32(x: np.float32) -> np.float32:
    """TfLiteRound on a float: halves away from zero (exact: x is a float32 below 2^24)."""
    return np.float32(round_half_away(float(x)))


def gen_lut_s16(func, input_min: float, input_max: float, output_min: float,
                output_max: float) -> np.ndarray:
    """TFLite's gen_lut<float, int16_t, int16_t>: func sampled at 512 steps of [input_min,
    input_max] plus the end point, in Q0.15 over [output_min, output_max], each entry nudged by half
    the error of linear interpolation at the segment's midpoint. Every operation in float32, in
    TFLite's order, so the table comes out bit for bit."""
    f = np.float32
    lo, hi = f(input_min), f(input_max)
    step = (hi - lo) / f(512)
    half_step = step / f(2)
    scale = f(65536) / (f(output_max) - f(output_min))
    lut = np.zeros(LUT_SIZE.value, np.int16)
    for i in range(512):
        x = lo + f(i) * step
        val, val_mid, val_next = func(x), func(x + half_step), func(lo + f(i + 1) * step)
        sample = _round_f32(val * scale)
        interp = _round_f32((val_next * scale + sample) / f(2))
        bias = _round_f32((interp - _round_f32(val_mid * scale)) / f(2))
        lut[i] = int(min(max(sample - bias, -32768.0), 32767.0))
    lut[512] = int(min(max(_round_f32(func(hi) * scale), -32768.0), 32767.0))
    return lut


def _expf(x: np.float32) -> np.float32:
    """exp of a float32, correctly rounded (TFLite calls std::exp(float); for the 1025 points of
    the softmax table the double result is never near a float32 rounding boundary)."""
    return np.float32(math.exp(float(x)))


def _one_over_one_plus(x: np.float32) -> np.float32:
    return np.float32(1) / (np.float32(1) + x)


_S16_LUTS: list = []


def softmax_s16_luts() -> tuple[np.ndarray, np.ndarray]:
    """TFLite Micro's int16 softmax tables (SoftmaxPrepare): exp over [-10, 0] and 1/(1+x) over
    [0, 1], both onto [-1, 1]. They depend on no model parameter, so they are computed once."""
    if not _S16_LUTS:
        _S16_LUTS.extend([gen_lut_s16(_expf, -10.0, 0.0, -1.0, 1.0),
                          gen_lut_s16(_one_over_one_plus, 0.0, 1.0, -1.0, 1.0)])
    return _S16_LUTS[0], _S16_LUTS[1]


class Softmax(OpSpec, kind="SOFTMAX", types=("int8", "int8->int16", "int16", "float32"),
              ulp=4, note="int16: TFLite's tables"):
    header = "mb_kernels.h"
    interp_files = ("interp/mbi_op_softmax.c", "kernels/softmax.c", "kernels/fixedpoint.c",
                    "kernels/softmax_f32.c", "interp/mbi_s16.h", "interp/mbi_lut_s16.c",
                    "kernels/softmax_s16.c")

    def check(self, graph: Graph, op: Op) -> None:
        one_output(op)
        dtype = out_dtype(graph, op)
        if dtype == "float32":
            out = f32_tensor(graph, op.outputs[0], "output")
            x = f32_tensor(graph, op.inputs[0] if op.inputs else -1, "input")
            need(tuple(x.shape) == tuple(out.shape), f"shapes {x.shape} -> {out.shape} differ")
            beta = float(op.options.get("beta", 1.0))
            need(0.0 <= beta < 3.0e38, f"beta {beta}: the float softmax needs 0 <= beta < 3e38 "
                                       "(its exp takes non-positive arguments)")
            return
        x_type = graph.tensors[op.inputs[0]].dtype if op.inputs and op.inputs[0] >= 0 else ""
        act = s16_act if x_type == "int16" else int8_act
        out = (s16_act if dtype == "int16" else int8_act)(graph, op.outputs[0], "output")
        x = act(graph, op.inputs[0] if op.inputs else -1, "input")
        need(tuple(x.shape) == tuple(out.shape), f"shapes {x.shape} -> {out.shape} differ")
        (params_s16 if x_type == "int16" else params_s8)(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        g, p = gen.g, f"op{i}"
        rows, depth = rows_depth(g, op)
        dtype = g.tensors[op.inputs[0]].dtype
        fn = {"float32": "mb_softmax_f32", "int16": "mb_softmax_s16"}.get(dtype, "mb_softmax_s8")
        if dtype == "float32":
            gen.use("kernels/softmax_f32.c", header="mb_kernels_f32.h")
            gen.struct(f"{p}_params", PARAMS_F32(beta=float(op.options.get("beta", 1.0))))
        elif dtype == "int16":
            gen.use("kernels/softmax_s16.c", "kernels/requant.c", header="mb_kernels_s16.h")
            exp_lut, recip_lut = gen.once("softmax_s16_luts", lambda: (
                gen.table("mb_softmax_s16_exp_lut", "int16_t", softmax_s16_luts()[0]),
                gen.table("mb_softmax_s16_recip_lut", "int16_t", softmax_s16_luts()[1])))
            gen.struct(f"{p}_params", PARAMS_S16(**params_s16(g, op), exp_lut=exp_lut,
                                                 one_over_one_plus_x_lut=recip_lut))
        else:
            gen.use("kernels/softmax.c", "kernels/fixedpoint.c", "kernels/requant.c")
            gen.struct(f"{p}_params", PARAMS(**params_s8(g, op)))
            if out_dtype(g, op) == "int16":
                fn = "mb_softmax_s8_s16"
        gen.calls.append(f"  {fn}(&{p}_params, {rows}, {depth}, {gen.act(op.inputs[0], True)}, "
                         f"{gen.act(op.outputs[0], False)});")

    def interp_record(self, graph: Graph, op: Op) -> tuple:
        rows, depth = rows_depth(graph, op)
        dtype = graph.tensors[op.inputs[0]].dtype
        if dtype == "float32":
            return DATA_F32, {"p": {"beta": float(op.options.get("beta", 1.0))}, "rows": rows,
                              "depth": depth}
        if dtype == "int16":
            luts = [int(v) for t in softmax_s16_luts() for v in t]
            return DATA_S16, {**params_s16(graph, op), "rows": rows, "depth": depth,
                              "luts": Table(I16, luts)}
        return DATA, {"p": params_s8(graph, op), "rows": rows, "depth": depth}

    def interp_records(self, graph: Graph, op: Op) -> int:
        dtype = graph.tensors[op.inputs[0]].dtype
        if dtype == "float32":
            return record(DATA_F32)
        if dtype == "int16":
            return record(DATA_S16) + records(2 * LUT_SIZE.value, I16.size)
        return record(DATA)
