"""RELU: int8 requantized from the input to the output scale and clamped below at the output zero
point (TFLite Micro's CalculateReluOpData), as a table; float32 exact."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.activation import Activation, multiplier, quant, requantize
from .common.cstruct import I32, Struct, fields

PARAMS = Struct(
    "mb_relu_params", "RELU, int8: requantize from the input to the output scale, then clamp below "
                      "at the output zero point (act_min) and to int8 (act_max).",
    fields(I32, "input_offset", "output_offset", doc="input zero point (subtracted), output's"),
    fields(I32, "mult", "shift", "act_min", "act_max"))


class Relu(Activation, kind="RELU", types=INT8_F32, note="int8: a 256-entry table"):
    params_struct = PARAMS

    def params(self, graph: Graph, op: Op) -> dict:
        """TFLite Micro CalculateReluOpData: input/output scale ratio in double, clamp from 0."""
        s_in, zp_in = quant(graph, op.inputs[0])
        s_out, zp_out = quant(graph, op.outputs[0])
        mult, shift = multiplier(float(s_in) / float(s_out), "input/output scale")
        return {"input_offset": zp_in, "output_offset": zp_out, "mult": mult, "shift": shift,
                "act_min": max(-128, zp_out), "act_max": 127}

    def one(self, p: dict, x: int) -> int:
        v = p["output_offset"] + requantize(x - p["input_offset"], p["mult"], p["shift"])
        return min(max(v, p["act_min"]), p["act_max"])
