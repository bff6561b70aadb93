"""RELU6: int8 as TFLite Micro runs it, a clamp to [zero, six] in the input's quantization (the
output quantization is not applied), as a table; float32 exact."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.activation import Activation, clamp, quant
from .common.cstruct import I32, Struct, fields
from .common.qmath import round_half_away

PARAMS = Struct(
    "mb_relu6_params", "RELU6, int8: a clamp to [zero, six] in the input's quantization (six = 6.0 "
                       "quantized with the input scale).",
    fields(I32, "zero", "six"))


class Relu6(Activation, kind="RELU6", types=INT8_F32, note="int8: a 256-entry table"):
    params_struct = PARAMS
    stem = "relu"

    def params(self, graph: Graph, op: Op) -> dict:
        """TFLite Micro Relu6Prepare: 0 and 6 in the input's quantization (float32 division)."""
        s_in, zp_in = quant(graph, op.inputs[0])
        quant(graph, op.outputs[0])
        r = np.float32(6.0) / s_in
        if not r < 2.0 ** 31:
            raise ValueError(f"input scale {s_in:g} is too small for RELU6")
        return {"zero": zp_in, "six": clamp(round_half_away(float(r)) + zp_in)}

    def one(self, p: dict, x: int) -> int:
        return p["six"] if x > p["six"] else p["zero"] if x < p["zero"] else x
