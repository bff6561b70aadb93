"""TANH: int8 as a 256-entry table of TFLite Micro's gemmlowp fixed-point arithmetic (LOGISTIC's
input rescaling, output scale 1/128, zero point 0), float32 with a libm-free exp (2 ulp)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.activation import Activation, sigmoid_like, sigmoid_params, tanh_q4
from .logistic import PARAMS as LOGISTIC

PARAMS = LOGISTIC.alias("mb_tanh_params")


class Tanh(Activation, kind="TANH", types=INT8_F32, ulp=2, note="int8: a 256-entry table"):
    params_struct = PARAMS
    extra_s8 = ("logistic.c",)
    extra = ("exp_f32.c",)

    def params(self, graph: Graph, op: Op) -> dict:
        return sigmoid_params(graph, op, 1 / 128, 0)

    def one(self, p: dict, x: int) -> int:
        return sigmoid_like(p, x, tanh_q4, 7, 0)
