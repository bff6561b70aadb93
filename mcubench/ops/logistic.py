"""LOGISTIC: int8 as a 256-entry table of TFLite Micro's gemmlowp fixed-point arithmetic (input
rescaled to Q4.27, output scale 1/256, zero point -128), float32 with a libm-free exp (2 ulp)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.activation import Activation, logistic_q4, sigmoid_like, sigmoid_params
from .common.cstruct import I32, Struct, fields

PARAMS = Struct(
    "mb_logistic_params", "LOGISTIC and TANH, int8: gemmlowp fixed point on the input rescaled to "
                          "Q4.27 (input_multiplier, input_left_shift from frexp(input_scale * "
                          "2^27)); inputs at least input_range_radius away from the zero point "
                          "saturate. Output scale 1/256 zero point -128 (logistic), 1/128 and 0 "
                          "(tanh).",
    fields(I32, "input_zero_point", "input_range_radius", "input_multiplier",
           "input_left_shift"))


class Logistic(Activation, kind="LOGISTIC", types=INT8_F32, ulp=2, note="int8: a 256-entry table"):
    params_struct = PARAMS
    extra = ("exp_f32.c",)

    def params(self, graph: Graph, op: Op) -> dict:
        return sigmoid_params(graph, op, 1 / 256, -128)

    def one(self, p: dict, x: int) -> int:
        return sigmoid_like(p, x, logistic_q4, 8, -128)
