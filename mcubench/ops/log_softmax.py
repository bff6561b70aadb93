"""LOG_SOFTMAX over the last axis: int8 (TFLite Micro's quantized LogSoftmax, bit-exact) and
float32.

int8: the output must be TFLite Micro's fixed 16/256 and 127 (its Prepare compares the scale with
==); beta is 1. Parameters are its PreprocessLogSoftmaxScalingExp (the softmax input scaling, and
its inverse as a multiplier below one) and CalculateInputRadius; per row, gemmlowp's exp of each
scaled difference to the row's maximum (those at least diff_min) summed in Q12.19, their log
(kernels/fixedpoint.c), and each output the difference minus that log, rounded to Q4 and offset by
127, or -128 below a threshold. A reverse multiplier of one or more makes TFLite Micro abort;
mcubench refuses it at LOAD.

float32: TFLite Micro's order (max, float sum of exp(x - max), log, (x - max) - log) with exp and
log computed in double and rounded once (kernels/log_softmax_f32.c: no libm on the device), where
TFLite Micro calls glibc's expf and logf, which are within an ulp but not always correctly
rounded: outputs are held within 2 ulp of TFLite Micro's (a simulation against glibc found at
most 1 ulp over 90000 outputs)."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.cstruct import I32, Struct, fields
from .common.qmath import qparams, quantize_multiplier
from .common.reduce import OneCall, f32_or_s8, rows
from .softmax import softmax_quant

OUTPUT_SCALE, OUTPUT_ZP = 16.0 / 256, 127  # TFLite Micro's fixed int8 output
PARAMS = Struct(
    "mb_log_softmax_params", "LOG_SOFTMAX over the last axis: rows x depth; int8 as TFLite "
                             "Micro's quantized LogSoftmax.",
    fields(I32, "rows", "depth"),
    fields(I32, "input_multiplier", "input_left_shift", doc="the difference to the row's "
                                                             "maximum into Q5.26"),
    fields(I32, "reverse_scaling_divisor", "reverse_scaling_right_shift",
           doc="Q5.26 back to the input's scale"),
    fields(I32, "diff_min", doc="the smallest difference whose exp counts"))


def log_softmax_params(graph: Graph, op: Op) -> dict:
    """mb_log_softmax_params, with TFLite Micro's LogSoftmax prepare checks."""
    x, y, n, depth = rows(graph, op)
    p = {"rows": n, "depth": depth, "input_multiplier": 0, "input_left_shift": 0,
         "reverse_scaling_divisor": 0, "reverse_scaling_right_shift": 0, "diff_min": 0}
    if x.dtype == "float32":
        return p
    (si, _), (so, zo) = qparams(x), qparams(y)
    if np.float32(so) != np.float32(OUTPUT_SCALE) or zo != OUTPUT_ZP:
        raise ValueError(f"int8 output needs scale 16/256 (exactly) and zero point 127 (TFLite "
                         f"Micro refuses others), got {so:g} and {zo}")
    q = softmax_quant(1.0, si)
    real = (1 << (31 - q["input_left_shift"])) / q["input_multiplier"]
    mult, shift = quantize_multiplier(real)
    if not real < 1 or shift > 0:
        raise ValueError(f"input scale {si:g}: TFLite Micro aborts on its reverse scaling "
                         f"multiplier {real:g} (it must be below one)")
    p.update(input_multiplier=q["input_multiplier"], input_left_shift=q["input_left_shift"],
             reverse_scaling_divisor=mult, reverse_scaling_right_shift=-shift,
             diff_min=q["diff_min"])
    return p


class LogSoftmax(OneCall, kind="LOG_SOFTMAX", types=INT8_F32, ulp=2):
    header = "mb_log_softmax.h"
    kernels = ("log_softmax.c", "fixedpoint.c", "requant.c", "log_softmax_f32.c")
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_log_softmax.c")
    record_struct = PARAMS
    kernel_of = f32_or_s8("log_softmax", ("kernels/log_softmax_f32.c",),
                          ("kernels/log_softmax.c", "kernels/fixedpoint.c", "kernels/requant.c"))

    def params(self, graph: Graph, op: Op) -> dict:
        return log_softmax_params(graph, op)
